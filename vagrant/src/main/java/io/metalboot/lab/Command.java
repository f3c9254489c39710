package io.metalboot.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** A short host command (ip, kill ...) that must finish within its timeout and succeed. */
final class Command {
    static final Duration SHORT = Duration.ofSeconds(15);

    private Command() {
    }

    static String run(List<String> argv) {
        return run(SHORT, argv);
    }

    static String run(Duration timeout, List<String> argv) {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new LabException("cannot start " + argv, e);
        }
        var output = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LabException(argv + " did not finish within " + timeout);
            }
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + argv, e);
        }
        String text = output.toString(StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new LabException(argv + " exited with " + process.exitValue() + ": " + text.strip());
        }
        return text;
    }
}
