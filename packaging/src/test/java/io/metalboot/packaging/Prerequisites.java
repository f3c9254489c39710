package io.metalboot.packaging;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * What the packaging tests need of the host, and what they do without it: skip, except under
 * {@code CI=true} or {@code -Dmetalboot.packaging.required=true}, where a missing prerequisite
 * fails the test instead of hiding it.
 */
final class Prerequisites {
    private Prerequisites() {
    }

    /** A program on PATH and the Debian package that has it. */
    record Program(String name, String debianPackage) {
    }

    /** Aborts (skips) the test with the reason, or fails it when prerequisites are required. */
    static void requireNone(String what, List<String> missing) {
        if (missing.isEmpty()) {
            return;
        }
        String reason = what + ", missing: " + String.join("; ", missing);
        if ("true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("metalboot.packaging.required")) {
            fail(reason + " (required: CI=true or metalboot.packaging.required=true)");
        }
        Assumptions.abort(reason);
    }

    /** The programs that are not on PATH, each as "NAME (Debian package P)". */
    static List<String> missingPrograms(List<Program> programs) {
        List<String> missing = new ArrayList<>();
        for (Program program : programs) {
            if (!onPath(program.name())) {
                missing.add(program.name() + " (Debian package " + program.debianPackage() + ")");
            }
        }
        return missing;
    }

    static boolean isRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(line -> line.matches("Uid:\\s+0\\s.*"));
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
