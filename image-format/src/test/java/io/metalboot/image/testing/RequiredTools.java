package io.metalboot.image.testing;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** A test that needs a real peer skips with the reason, except under CI=true, where it fails. */
public final class RequiredTools {
    private RequiredTools() {
    }

    public static void require(Optional<String> unavailable) {
        if (unavailable.isEmpty()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("metalboot.images.required")) {
            throw new AssertionError("under CI=true this test must run: " + unavailable.get());
        }
        Assumptions.abort(unavailable.get());
    }

    /** Why a program is missing, if it is: {@code name} on the PATH or in /usr/sbin, /usr/bin. */
    public static Optional<String> program(String name, String debianPackage) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin").split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, name))) {
                return Optional.empty();
            }
        }
        return Optional.of(name + " is not installed (Debian package " + debianPackage + ")");
    }
}
