package io.metalboot.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A long-running program of the lab (dnsmasq, tcpdump, QEMU, the appliance). What it prints goes to
 * its log file and, line by line, into {@link #lines()}; stdout can go to a file and a consumer of
 * its own instead (tcpdump's packets). Closing stops it: SIGTERM, a grace period, then SIGKILL.
 */
final class ChildProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final String label;
    private final Process process;
    private final Journal<String> lines;
    private final List<GrowingFile> outputs;

    private ChildProcess(String label, Process process, Journal<String> lines, List<GrowingFile> outputs) {
        this.label = label;
        this.process = process;
        this.lines = lines;
        this.outputs = outputs;
        process.onExit().thenRun(() -> {
            outputs.forEach(GrowingFile::close);
            lines.end();
        });
    }

    static ChildProcess start(String label, List<String> argv, Path logFile) {
        return start(label, argv, logFile, null, null);
    }

    /**
     * @param stdoutFile where stdout goes instead of the log file (null: into the log file too)
     * @param stdoutSink receives stdout's lines instead of {@link #lines()}
     */
    static ChildProcess start(String label, List<String> argv, Path logFile, Path stdoutFile, Consumer<String> stdoutSink) {
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, "# " + String.join(" ", argv) + "\n", StandardCharsets.UTF_8);
            long logStart = Files.size(logFile);
            var builder = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            if (stdoutFile == null) {
                builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            } else {
                Files.deleteIfExists(stdoutFile);
                builder.redirectOutput(stdoutFile.toFile());
            }
            Process process = builder.start();
            var lines = new Journal<String>();
            var outputs = new ArrayList<GrowingFile>();
            outputs.add(new GrowingFile(logFile, logStart, new LineSplitter(lines::add)));
            if (stdoutFile != null) {
                outputs.add(new GrowingFile(stdoutFile, 0, new LineSplitter(stdoutSink)));
            }
            return new ChildProcess(label, process, lines, List.copyOf(outputs));
        } catch (IOException e) {
            throw new LabException("cannot start " + label + ": " + argv, e);
        }
    }

    /** Bytes to UTF-8 lines; a line is handed on when its newline arrives. */
    private static final class LineSplitter implements Consumer<byte[]> {
        private final Consumer<String> sink;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineSplitter(Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public void accept(byte[] chunk) {
            for (byte b : chunk) {
                if (b == '\n') {
                    sink.accept(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        }
    }

    String label() {
        return label;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The program's PID ({@code ip netns exec} execs, so inside a namespace it is the program's own). */
    long pid() {
        return process.pid();
    }

    /** Waits until the program ends on its own; false when it still runs at the timeout. */
    boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for " + label + " to end", e);
        }
    }

    /** The log's lines (stderr, and stdout unless it goes elsewhere). */
    Journal<String> lines() {
        return lines;
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            // onExit may not have run yet; closing twice is harmless and makes the output complete now.
            outputs.forEach(GrowingFile::close);
            lines.end();
        }
    }
}
