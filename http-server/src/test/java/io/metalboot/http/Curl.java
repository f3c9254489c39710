package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The real curl binary, as a second, independent HTTP client. */
final class Curl {
    record Result(int exitCode, String stdout, String stderr) {
    }

    private Curl() {
    }

    /** Skips the calling test without curl, except on CI (CI=true), where a missing curl is a failure. */
    static void require() {
        boolean found = System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "curl")));
        if (!found) {
            if ("true".equals(System.getenv("CI"))) {
                fail("curl is not installed, and CI=true: the HTTP tests need it (apt-get install curl)");
            }
            Assumptions.abort("curl is not installed: the tests that compare with a real client are skipped");
        }
    }

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("curl");
        command.add("--silent");
        command.add("--show-error");
        command.add("--max-time");
        command.add("60");
        // A proxy from the environment would not see loopback anyway, but must never be asked.
        command.add("--noproxy");
        command.add("*");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        var out = process.getInputStream().readAllBytes();
        var err = process.getErrorStream().readAllBytes();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("curl did not finish: " + command);
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.ISO_8859_1),
                new String(err, StandardCharsets.UTF_8));
    }
}
