package io.metalboot.agent.ironic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The gzipped tar {@code log.collect_system_logs} returns (Ironic stores it as it is, in
 * {@code [agent] deploy_logs_local_path}): POSIX ustar entries, regular files only, written here
 * since the ramdisk has no tar library and the format is a 512-byte header per file.
 */
public final class SystemLogArchive {
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    /** Adds a file; a name of at most 100 bytes (ustar's name field), no directories needed. */
    public SystemLogArchive add(String name, byte[] content) {
        if (name.getBytes(StandardCharsets.UTF_8).length > 100 || name.isEmpty()) {
            throw new IllegalArgumentException("a tar entry name has 1 to 100 bytes: " + name);
        }
        files.put(name, content.clone());
        return this;
    }

    public SystemLogArchive add(String name, String content) {
        return add(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** The archive, gzipped, stamped with {@code mtime} (seconds since the epoch). */
    public byte[] gzipped(long mtime) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                gzip.write(header(file.getKey(), file.getValue().length, mtime));
                gzip.write(file.getValue());
                pad(gzip, file.getValue().length);
            }
            gzip.write(new byte[1024]); // two zero blocks end the archive
        }
        return bytes.toByteArray();
    }

    private static byte[] header(String name, long size, long mtime) {
        byte[] header = new byte[512];
        put(header, 0, name.getBytes(StandardCharsets.UTF_8));
        put(header, 100, octal(0644, 7));
        put(header, 108, octal(0, 7));
        put(header, 116, octal(0, 7));
        put(header, 124, octal(size, 11));
        put(header, 136, octal(mtime, 11));
        java.util.Arrays.fill(header, 148, 156, (byte) ' '); // the checksum counts its own field as spaces
        header[156] = '0';
        put(header, 257, "ustar\u000000".getBytes(StandardCharsets.US_ASCII));
        put(header, 265, "root".getBytes(StandardCharsets.US_ASCII));
        put(header, 297, "root".getBytes(StandardCharsets.US_ASCII));
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, (String.format("%06o", sum) + "\u0000 ").getBytes(StandardCharsets.US_ASCII));
        return header;
    }

    private static byte[] octal(long value, int digits) {
        return (String.format("%0" + digits + "o", value) + "\u0000").getBytes(StandardCharsets.US_ASCII);
    }

    private static void put(byte[] header, int offset, byte[] field) {
        System.arraycopy(field, 0, header, offset, field.length);
    }

    private static void pad(OutputStream out, long size) throws IOException {
        int rest = (int) (size % 512);
        if (rest != 0) {
            out.write(new byte[512 - rest]);
        }
    }
}
