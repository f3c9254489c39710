package io.metalboot.appliance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The appliance's real main as a child JVM, its output (stdout and stderr) in a log file: for
 * tests of the process itself (kill -9, signals, what it tells systemd). Closing it sends SIGTERM
 * and waits for the exit.
 */
final class ApplianceProcess implements AutoCloseable {
    static final Pattern OPERATOR_LISTENING = Pattern.compile("operator API listening on 127\\.0\\.0\\.1:(\\d+)");
    static final Pattern BOOT_LISTENING = Pattern.compile("HTTP listening on [0-9.]+:(\\d+)");
    private static final long DEADLINE_SECONDS = 60;

    private final Process process;
    private final Path log;

    private ApplianceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ApplianceProcess start(Path config, Path log) throws IOException {
        return start(config, log, Map.of());
    }

    /** Started with {@code environment} added to this JVM's. */
    static ApplianceProcess start(Path config, Path log, Map<String, String> environment) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ApplianceMain.class.getName(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new ApplianceProcess(builder.start(), log);
    }

    Process process() {
        return process;
    }

    /** Waits for the start line; returns the log up to it. */
    String awaitStarted() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (System.nanoTime() < deadline) {
            String logged = log();
            if (logged.contains("metalboot started")) {
                return logged;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the appliance exited (" + process.exitValue() + ") before it started:\n"
                        + logged);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the appliance did not start:\n" + log());
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The port a listener bound (it was given port 0), from its log line. */
    static int port(Pattern listening, String log) {
        Matcher matcher = listening.matcher(log);
        if (!matcher.find()) {
            throw new AssertionError("no " + listening + " line:\n" + log);
        }
        return Integer.parseInt(matcher.group(1));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
