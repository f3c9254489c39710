package io.metalboot.dhcp.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/** An immutable run of bytes, compared by content: option values and fixed BOOTP fields. */
public final class Octets {
    public static final Octets EMPTY = new Octets(new byte[0]);

    private final byte[] bytes;

    private Octets(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Octets of(byte... bytes) {
        return bytes.length == 0 ? EMPTY : new Octets(bytes.clone());
    }

    public static Octets ofHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    /** Text as single bytes (ISO-8859-1), so that any byte value survives a round trip. */
    public static Octets ofLatin1(String text) {
        return of(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A fixed-width BOOTP field (sname, file): the text, then NULs up to {@code width}. */
    public static Octets fixedField(String text, int width) {
        byte[] value = text.getBytes(StandardCharsets.ISO_8859_1);
        if (value.length > width) {
            throw new IllegalArgumentException("'" + text + "' does not fit a " + width + "-byte field");
        }
        return new Octets(Arrays.copyOf(value, width));
    }

    public static Octets zeros(int length) {
        return length == 0 ? EMPTY : new Octets(new byte[length]);
    }

    public int length() {
        return bytes.length;
    }

    public int unsignedByte(int index) {
        return bytes[index] & 0xff;
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    public Octets slice(int from, int to) {
        return of(Arrays.copyOfRange(bytes, from, to));
    }

    public String latin1() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** A NUL-terminated string inside a fixed field: the bytes up to the first NUL. */
    public String nulTerminated() {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Octets o && Arrays.equals(bytes, o.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
