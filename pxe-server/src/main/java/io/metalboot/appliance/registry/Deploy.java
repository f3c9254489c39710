package io.metalboot.appliance.registry;

import io.metalboot.machine.agent.DeployedDisk;
import java.time.Instant;
import java.util.Optional;

/**
 * A machine's latest deploy as stored: what was asked, when, how it ended, and what the agent
 * said the verified write left on the disk (the record of what is on it).
 */
public record Deploy(DeployRequest request, Instant requestedAt, Outcome outcome, Optional<DeployedDisk> disk) {

    /** How far a deploy has come, as the store knows it (progress is the agent sessions', in memory). */
    public enum Outcome {
        /** The machine is provisioning for it. */
        RUNNING,
        /** The agent reported a verified write; the machine is provisioned. */
        SUCCEEDED,
        /** The machine failed while provisioning for it. */
        FAILED,
        /** The machine left provisioning another way (an operator's state change). */
        ABANDONED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Deploy {
        disk = disk == null ? Optional.empty() : disk;
    }

    Deploy ended(Outcome how) {
        return new Deploy(request, requestedAt, how, disk);
    }

    Deploy succeeded(DeployedDisk written) {
        return new Deploy(request, requestedAt, Outcome.SUCCEEDED, Optional.of(written));
    }
}
