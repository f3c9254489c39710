package io.metalboot.agent.inventory;

import java.util.List;

/** Runs {@code ipmitool ARGS...}: {@link IpmitoolProcess} on a machine, recorded outputs in the tests. */
@FunctionalInterface
public interface Ipmitool {
    Run run(List<String> args) throws InterruptedException;

    /** How one run ended. */
    sealed interface Run permits Exited, TimedOut, NotStarted {
    }

    /** It exited; ipmitool prints "Invalid channel: N" to stderr and exits 1 for a channel that is no LAN channel. */
    record Exited(int status, String stdout, String stderr) implements Run {
    }

    /** It did not exit in time and was killed (a KCS interface whose BMC does not answer). */
    record TimedOut(String command) implements Run {
    }

    /** It could not be started (not installed). */
    record NotStarted(String reason) implements Run {
    }
}
