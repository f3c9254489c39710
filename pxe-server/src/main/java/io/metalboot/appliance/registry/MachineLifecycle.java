package io.metalboot.appliance.registry;

import static io.metalboot.machine.MachineState.AVAILABLE;
import static io.metalboot.machine.MachineState.DISCOVERED;
import static io.metalboot.machine.MachineState.FAILED;
import static io.metalboot.machine.MachineState.INSPECTING;
import static io.metalboot.machine.MachineState.JOINED;
import static io.metalboot.machine.MachineState.PROVISIONED;
import static io.metalboot.machine.MachineState.PROVISIONING;

import io.metalboot.machine.MachineState;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** Which state may follow which, for the boot flow and for an operator. */
public final class MachineLifecycle {
    private static final Map<MachineState, Set<MachineState>> FLOW = Map.of(
            DISCOVERED, EnumSet.of(INSPECTING),
            INSPECTING, EnumSet.of(AVAILABLE),
            AVAILABLE, EnumSet.of(PROVISIONING),
            PROVISIONING, EnumSet.of(PROVISIONED),
            PROVISIONED, EnumSet.of(JOINED),
            JOINED, EnumSet.noneOf(MachineState.class),
            FAILED, EnumSet.noneOf(MachineState.class));

    /**
     * An operator may send any machine back to inspection or provisioning, or adopt one whose disk
     * was installed by other means as provisioned (it then boots its disk, never the agent).
     */
    private static final Set<MachineState> OPERATOR = EnumSet.of(INSPECTING, PROVISIONING, PROVISIONED);

    /**
     * Where a reprovision starts: a machine whose deploy came to an end, on its disk (provisioned,
     * joined) or not (failed). It goes back to {@code inspecting}, which an operator may always
     * set ({@link #operatorAllows}), and from there along the flow to {@code available} and a new
     * deploy: no deploy starts from anywhere but {@code available}.
     */
    private static final Set<MachineState> REPROVISION = EnumSet.of(PROVISIONED, JOINED, FAILED);

    private MachineLifecycle() {
    }

    /** Along the boot flow; any state may fail. */
    public static boolean flowAllows(MachineState from, MachineState to) {
        return to == FAILED || FLOW.get(from).contains(to);
    }

    /**
     * Whether an operator's deploy may start from {@code from}: where the boot flow leads on to
     * {@code provisioning}, which is {@code available} only. A failed machine goes back through
     * inspection first (the operator sets it {@code inspecting}); the operator's direct
     * "provisioning" ({@link #operatorAllows}) adopts a state, it starts no deploy.
     */
    public static boolean deployAllowedFrom(MachineState from) {
        return FLOW.get(from).contains(PROVISIONING);
    }

    public static boolean reprovisionAllowedFrom(MachineState from) {
        return REPROVISION.contains(from);
    }

    public static Set<MachineState> reprovisionSources() {
        return Set.copyOf(REPROVISION);
    }

    public static boolean operatorAllows(MachineState to) {
        return OPERATOR.contains(to);
    }

    public static Set<MachineState> operatorTargets() {
        return Set.copyOf(OPERATOR);
    }
}
