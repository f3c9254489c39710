package io.metalboot.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Pseudo-random bytes from a seed, generated as they are asked for (nothing is held): the same
 * seed gives the same bytes however they are split into calls. Bodies of any size, for uploads
 * and downloads whose ends are compared by hash. splitmix64, eight bytes a step, little-endian.
 */
final class SeededBytes {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long state;
    private long word;
    private int wordLeft;

    SeededBytes(long seed) {
        state = seed;
    }

    void fill(byte[] bytes, int offset, int length) {
        while (length > 0 && wordLeft > 0) {
            bytes[offset++] = (byte) word;
            word >>>= 8;
            wordLeft--;
            length--;
        }
        while (length >= 8) {
            LONGS.set(bytes, offset, next());
            offset += 8;
            length -= 8;
        }
        if (length > 0) {
            word = next();
            wordLeft = 8;
            while (length > 0) {
                bytes[offset++] = (byte) word;
                word >>>= 8;
                wordLeft--;
                length--;
            }
        }
    }

    private long next() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Writes {@code length} bytes of {@code seed} into {@code out}, {@code blockSize} at a time; returns their SHA-256. */
    static String write(long seed, long length, int blockSize, OutputStream out) throws IOException {
        SeededBytes bytes = new SeededBytes(seed);
        MessageDigest digest = sha256();
        byte[] block = new byte[blockSize];
        for (long left = length; left > 0; ) {
            int n = (int) Math.min(block.length, left);
            bytes.fill(block, 0, n);
            digest.update(block, 0, n);
            out.write(block, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 of {@code length} bytes of {@code seed}. */
    static String sha256(long seed, long length) throws IOException {
        return write(seed, length, 64 * 1024, OutputStream.nullOutputStream());
    }

    /** {@code length} bytes of {@code seed} as a stream, generated as they are read. */
    static InputStream stream(long seed, long length) {
        SeededBytes bytes = new SeededBytes(seed);
        return new InputStream() {
            private long left = length;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) {
                if (left == 0) {
                    return count == 0 ? 0 : -1;
                }
                int n = (int) Math.min(count, left);
                bytes.fill(buffer, offset, n);
                left -= n;
                return n;
            }
        };
    }

    /** The bytes themselves, for small bodies. */
    static byte[] bytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new SeededBytes(seed).fill(bytes, 0, length);
        return bytes;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
