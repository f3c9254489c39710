package io.metalboot.image.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs the reference tools (qemu-img, qemu-io, gzip, xz, zstd, sha256sum) and fails on their failure. */
public final class Commands {
    private Commands() {
    }

    public static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** {@code sh -c script} in {@code dir}. */
    public static String shell(Path dir, String script) throws IOException, InterruptedException {
        return run(dir, "sh", "-c", script);
    }
}
