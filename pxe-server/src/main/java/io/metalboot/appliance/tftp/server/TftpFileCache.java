package io.metalboot.appliance.tftp.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The content of popular files, shared by every transfer: a read-only memory mapping per file
 * (octet) or its converted bytes (netascii). An entry is keyed by real path, modification time
 * and size, so a file replaced in the root is mapped anew for the next request; the least
 * recently used entry goes when the cache is full. Replace files by renaming a new one into
 * place: truncating a file that is mapped makes the transfers reading it fail.
 */
public final class TftpFileCache {
    /** Files over 2 GiB cannot be one mapping; no boot file comes near it. */
    static final long MAX_FILE_SIZE = Integer.MAX_VALUE;

    private record Key(Path file, FileTime modified, long size, boolean netascii) {
    }

    private final int capacity;
    private final Map<Key, ByteBuffer> entries;

    public TftpFileCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** A read-only view of the file's content as sent in {@code netascii} mode or not. */
    public ByteBuffer content(Path realFile, boolean netascii) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(realFile, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (attributes.size() > MAX_FILE_SIZE) {
            throw new IOException(realFile + " is larger than 2 GiB");
        }
        Key key = new Key(realFile, attributes.lastModifiedTime(), attributes.size(), netascii);
        synchronized (entries) {
            ByteBuffer cached = entries.get(key);
            if (cached != null) {
                return cached.duplicate();
            }
        }
        // Read outside the lock: a slow disk must not stall transfers of other, cached files.
        ByteBuffer loaded = load(realFile, attributes.size(), netascii);
        if (capacity > 0) {
            synchronized (entries) {
                entries.put(key, loaded);
                // An older version of the same file is never asked for again: let its mapping go now.
                entries.keySet().removeIf(other -> other.file().equals(realFile) && other.netascii() == netascii
                        && !other.equals(key));
                while (entries.size() > capacity) {
                    entries.remove(entries.keySet().iterator().next());
                }
            }
        }
        return loaded.duplicate();
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private static ByteBuffer load(Path realFile, long size, boolean netascii) throws IOException {
        ByteBuffer raw;
        try (FileChannel channel = FileChannel.open(realFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            raw = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, channel.size()));
        }
        return (netascii ? toNetascii(raw) : raw).asReadOnlyBuffer();
    }

    /** RFC 764 netascii: LF becomes CR LF, a bare CR becomes CR NUL. */
    static ByteBuffer toNetascii(ByteBuffer raw) throws IOException {
        long extra = 0;
        for (int i = raw.position(); i < raw.limit(); i++) {
            byte b = raw.get(i);
            if (b == '\n' || b == '\r') {
                extra++;
            }
        }
        long length = raw.remaining() + extra;
        if (length > MAX_FILE_SIZE) {
            throw new IOException("netascii form is larger than 2 GiB");
        }
        byte[] converted = new byte[(int) length];
        int at = 0;
        for (int i = raw.position(); i < raw.limit(); i++) {
            byte b = raw.get(i);
            if (b == '\n') {
                converted[at++] = '\r';
                converted[at++] = '\n';
            } else if (b == '\r') {
                converted[at++] = '\r';
                converted[at++] = 0;
            } else {
                converted[at++] = b;
            }
        }
        return ByteBuffer.wrap(converted);
    }
}
