package io.metalboot.appliance.registry;

/** What {@link MachineRegistry#recordBoot} made of a machine's boot. */
public sealed interface BootAdmission {
    /** The machine as now recorded (new ones {@code discovered}). */
    record Recorded(Machine machine) implements BootAdmission {
    }

    /** Known-only, and this machine is neither listed nor recorded: ignored. */
    record NotAdmitted() implements BootAdmission {
    }

    /** A new machine, but {@code cap} machines are discovered and never registered already: refused. */
    record OverUnregisteredCap(int cap) implements BootAdmission {
    }
}
