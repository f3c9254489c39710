package io.metalboot.appliance;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager resets (silences) every handler in its own shutdown hook, which races the
 * appliance's hook and loses the lines written while services stop. This one ignores that reset;
 * the process is ending anyway.
 */
public final class ShutdownSafeLogManager extends LogManager {
    @Override
    public void reset() {
        // intentionally kept: handlers live until the JVM exits
    }
}
