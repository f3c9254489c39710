package io.metalboot.appliance.tftp.model;

import java.util.Map;

/**
 * RRQ: {@code filename} exactly as sent (bytes as ISO-8859-1 characters, so that nothing is lost
 * before the root decides what the name means), the transfer mode as sent (case kept), and the
 * RFC 2347 options in the client's order, names as the client spelt them.
 */
public record ReadRequest(String filename, String mode, Map<String, String> options) implements TftpPacket {
    public ReadRequest {
        TftpStrings.requireNulFree("filename", filename);
        TftpStrings.requireNulFree("mode", mode);
        options = TftpOptions.orderedCopy(options);
    }

    public ReadRequest(String filename, String mode) {
        this(filename, mode, Map.of());
    }

    @Override
    public Opcode opcode() {
        return Opcode.RRQ;
    }
}
