package io.metalboot.lab;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A long-running program of the lab (dnsmasq, tcpdump, QEMU, the appliance). Every line it prints
 * goes to its log file and into {@link #lines()}; stdout can be routed elsewhere instead (tcpdump's
 * packets). Closing stops it: SIGTERM, a grace period, then SIGKILL.
 */
final class ChildProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final String label;
    private final Process process;
    private final Journal<String> lines = new Journal<>();
    private final BufferedWriter log;
    private final Thread[] readers;

    private ChildProcess(String label, Process process, BufferedWriter log, Consumer<String> stdoutSink) {
        this.label = label;
        this.process = process;
        this.log = log;
        Consumer<String> toJournal = lines::add;
        this.readers = new Thread[] {
            pump(process.getInputStream(), stdoutSink == null ? toJournal : stdoutSink),
            pump(process.getErrorStream(), toJournal),
        };
        Thread.ofVirtual().name(label + "-exit").start(() -> {
            try {
                process.waitFor();
                for (Thread reader : readers) {
                    reader.join(GRACE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lines.end();
        });
    }

    static ChildProcess start(String label, List<String> argv, Path logFile) {
        return start(label, argv, logFile, null);
    }

    /** @param stdoutSink receives stdout lines instead of {@link #lines()}; null: same as stderr */
    static ChildProcess start(String label, List<String> argv, Path logFile, Consumer<String> stdoutSink) {
        try {
            Files.createDirectories(logFile.getParent());
            BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
            log.write("# " + String.join(" ", argv) + "\n");
            log.flush();
            Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            process.getOutputStream().close();
            return new ChildProcess(label, process, log, stdoutSink);
        } catch (IOException e) {
            throw new LabException("cannot start " + label + ": " + argv, e);
        }
    }

    private Thread pump(InputStream stream, Consumer<String> sink) {
        return Thread.ofVirtual().name(label + "-reader").start(() -> {
            try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    writeLog(line);
                    sink.accept(line);
                }
            } catch (IOException e) {
                writeLog("# reading output failed: " + e);
            }
        });
    }

    private void writeLog(String line) {
        synchronized (log) {
            try {
                log.write(line);
                log.write('\n');
                log.flush();
            } catch (IOException e) {
                // The log is a copy for people; the journal is what the lab decides on.
            }
        }
    }

    String label() {
        return label;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** stderr (and stdout unless routed elsewhere), line by line. */
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
            for (Thread reader : readers) {
                reader.join(Duration.ofSeconds(2));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            synchronized (log) {
                try {
                    log.close();
                } catch (IOException e) {
                    // nothing left to do with a log that cannot be closed
                }
            }
        }
    }
}
