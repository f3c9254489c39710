package io.metalboot.machine.agent;

import java.util.Locale;

/** What the appliance can ask a running agent to do; later issues add deploy. */
public enum AgentActionKind {
    /** Collect and send the inventory. */
    INSPECT,
    /** Power the machine off. */
    POWER_OFF,
    /** Reboot the machine (it PXE-boots again and gets the script its state says). */
    REBOOT,
    /** Nothing to do: heartbeat again later. */
    WAIT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static AgentActionKind ofWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
