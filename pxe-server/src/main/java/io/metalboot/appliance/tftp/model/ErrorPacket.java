package io.metalboot.appliance.tftp.model;

/**
 * ERROR: a code (kept as a number, since peers send codes this server has no name for) and a
 * human-readable message.
 */
public record ErrorPacket(int code, String message) implements TftpPacket {
    public ErrorPacket {
        Ack.requireBlockNumber(code);
        TftpStrings.requireNulFree("message", message);
    }

    public ErrorPacket(ErrorCode code, String message) {
        this(code.code(), message);
    }

    /** The named code, or null for a code outside RFC 1350/2347. */
    public ErrorCode errorCode() {
        return ErrorCode.of(code);
    }

    @Override
    public Opcode opcode() {
        return Opcode.ERROR;
    }
}
