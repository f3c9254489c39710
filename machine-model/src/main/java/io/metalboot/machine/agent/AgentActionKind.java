package io.metalboot.machine.agent;

import java.util.Locale;

/** What the appliance can ask a running agent to do. */
public enum AgentActionKind {
    /** Collect and send the inventory. */
    INSPECT,
    /** Power the machine off. */
    POWER_OFF,
    /** Reboot the machine (it PXE-boots again and gets the script its state says). */
    REBOOT,
    /** Nothing to do: heartbeat again later. */
    WAIT,
    /**
     * Write an image to a disk ({@link AgentProtocol.HeartbeatResponse#deploy()} says which and how);
     * heartbeat with "running" and the {@link DeployProgress} meanwhile, then report the
     * {@link DeployedDisk}. The action id is the deploy's id.
     */
    DEPLOY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static AgentActionKind ofWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
