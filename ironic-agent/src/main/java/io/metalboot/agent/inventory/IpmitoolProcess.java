package io.metalboot.agent.inventory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The real {@code ipmitool}, from the PATH, each run killed after a timeout. */
public final class IpmitoolProcess implements Ipmitool {
    private final String program;
    private final Duration timeout;

    public IpmitoolProcess(String program, Duration timeout) {
        this.program = Objects.requireNonNull(program, "program");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public Run run(List<String> args) throws InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(program);
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            return new NotStarted(String.join(" ", command) + ": " + e.getMessage());
        }
        // Both streams drained while it runs, so that a full pipe cannot stall it.
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return new TimedOut(String.join(" ", command));
            }
            return new Exited(process.exitValue(), stdout.get(), stderr.get());
        } catch (ExecutionException e) {
            return new Exited(process.exitValue(), "", "output not read: " + e.getCause());
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return text;
    }
}
