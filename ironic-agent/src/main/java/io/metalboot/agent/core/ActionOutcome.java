package io.metalboot.agent.core;

import io.metalboot.machine.agent.DeployedDisk;

/**
 * How an action ended.
 *
 * @param inventoryJson for {@code inspect}: the inventory to send (IPA's JSON), else null
 * @param deployed      for {@code deploy}: what the verified write left on the disk, else null
 *                      (never set for a failed or partial write)
 */
public record ActionOutcome(boolean succeeded, String message, String inventoryJson, DeployedDisk deployed) {
    public ActionOutcome {
        if (!succeeded && (inventoryJson != null || deployed != null)) {
            throw new IllegalArgumentException("a failed action has no result");
        }
    }

    public static ActionOutcome ok() {
        return new ActionOutcome(true, null, null, null);
    }

    public static ActionOutcome inventory(String json) {
        return new ActionOutcome(true, null, json, null);
    }

    public static ActionOutcome deployed(DeployedDisk disk) {
        return new ActionOutcome(true, null, null, java.util.Objects.requireNonNull(disk, "disk"));
    }

    public static ActionOutcome failed(String message) {
        return new ActionOutcome(false, message, null, null);
    }
}
