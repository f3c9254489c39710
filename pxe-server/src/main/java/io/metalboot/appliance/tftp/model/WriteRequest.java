package io.metalboot.appliance.tftp.model;

import java.util.Map;

/** WRQ: decoded so that it can be refused properly; this server never writes. */
public record WriteRequest(String filename, String mode, Map<String, String> options) implements TftpPacket {
    public WriteRequest {
        TftpStrings.requireNulFree("filename", filename);
        TftpStrings.requireNulFree("mode", mode);
        options = TftpOptions.orderedCopy(options);
    }

    @Override
    public Opcode opcode() {
        return Opcode.WRQ;
    }
}
