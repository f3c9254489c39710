package io.metalboot.appliance.tftp.model;

import java.util.Map;

/** OACK (RFC 2347): the options the server accepted, with the values it will use, in order. */
public record OptionAck(Map<String, String> options) implements TftpPacket {
    public OptionAck {
        options = TftpOptions.orderedCopy(options);
    }

    @Override
    public Opcode opcode() {
        return Opcode.OACK;
    }
}
