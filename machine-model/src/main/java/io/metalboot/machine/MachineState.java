package io.metalboot.machine;

import java.util.Locale;

/** Where a machine is on its way to being a Kubernetes node (docs/ARCHITECTURE.md, "A machine's states"). */
public enum MachineState {
    DISCOVERED, INSPECTING, AVAILABLE, PROVISIONING, PROVISIONED, JOINED, FAILED;

    /** Whether it should run the agent ramdisk when it PXE boots (else: boot its own disk). */
    public boolean bootsAgent() {
        return this == DISCOVERED || this == INSPECTING || this == AVAILABLE || this == PROVISIONING;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MachineState ofWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
