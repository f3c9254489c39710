package io.metalboot.cloudconfig.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A finished process with its status and both streams apart (the bootstrap's failure lines go to
 * stderr), for the tests that assert a command's failure as much as its success.
 */
public record ProcessRun(int status, String stdout, String stderr) {
    public static ProcessRun run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("process-run", ".stderr");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(err.toFile()).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no exit within 60 s");
            }
            return new ProcessRun(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** For assertion messages. */
    public String describe() {
        return "status " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
