package io.metalboot.agent.core;

import io.metalboot.machine.agent.AgentActionKind;

/**
 * The agent's actions, with no transport in them: metalboot's own agent API drives them through
 * {@code front.MetalbootFront}, and Ironic's agent API (a later front) will drive the same ones.
 * Each action is a plain call that returns how it ended; none throws for an expected failure.
 */
public final class AgentCore {
    /** Where the inventory comes from (the collector reads sysfs, procfs and SMBIOS). */
    @FunctionalInterface
    public interface InventorySource {
        /** The inventory as IPA's JSON. */
        String inventoryJson() throws Exception;
    }

    /** What powers the machine off or reboots it (busybox's {@code poweroff -f}/{@code reboot -f} in the ramdisk). */
    public interface PowerControl {
        void powerOff() throws Exception;

        void reboot() throws Exception;
    }

    private final InventorySource inventory;
    private final PowerControl power;

    public AgentCore(InventorySource inventory, PowerControl power) {
        this.inventory = inventory;
        this.power = power;
    }

    public ActionOutcome perform(AgentActionKind kind) {
        try {
            return switch (kind) {
                case INSPECT -> ActionOutcome.inventory(inventory.inventoryJson());
                case POWER_OFF -> {
                    power.powerOff();
                    yield ActionOutcome.ok();
                }
                case REBOOT -> {
                    power.reboot();
                    yield ActionOutcome.ok();
                }
                case WAIT -> ActionOutcome.ok();
            };
        } catch (Exception e) {
            return ActionOutcome.failed(kind.wireName() + ": " + e.getMessage());
        }
    }
}
