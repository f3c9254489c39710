package io.metalboot.packaging;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A script the packaging tests ran: its exit code and its output (both streams), kept in a log file. */
record LoggedRun(int exitCode, String output) {

    /** Runs {@code command}, its output in {@code logDir/NAME.log}; fails the test if it runs past the timeout. */
    static LoggedRun run(Path logDir, String name, long timeoutSeconds, List<String> command)
            throws IOException, InterruptedException {
        Path log = logDir.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " ran longer than " + timeoutSeconds + " s; its output: " + log);
        }
        return new LoggedRun(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
