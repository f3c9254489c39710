package io.metalboot.appliance.tftp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Random test files, reproducible by seed. */
final class TftpTestFiles {
    private TftpTestFiles() {
    }

    static Path random(Path dir, String name, long size, long seed) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Random random = new Random(seed);
        byte[] chunk = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
        return file;
    }
}
