package io.metalboot.appliance.tftp.model;

/** TFTP opcodes: RFC 1350 (1..5) and RFC 2347 (6, OACK). */
public enum Opcode {
    RRQ(1), WRQ(2), DATA(3), ACK(4), ERROR(5), OACK(6);

    /** values() copies its array on every call: decoding one ACK must not allocate one. */
    private static final Opcode[] BY_CODE = values();

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The opcode for {@code code}, or null if TFTP has none. */
    public static Opcode of(int code) {
        return code >= 1 && code <= 6 ? BY_CODE[code - 1] : null;
    }
}
