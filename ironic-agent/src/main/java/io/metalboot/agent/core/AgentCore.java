package io.metalboot.agent.core;

import io.metalboot.machine.agent.AgentActionKind;
import io.metalboot.machine.agent.BootstrapDelivery;
import io.metalboot.machine.agent.BootstrapTokens;
import io.metalboot.machine.agent.DeployInstructions;
import io.metalboot.machine.agent.DeployProgress;
import io.metalboot.machine.agent.DeployedDisk;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The agent's actions, with no transport in them: metalboot's own agent API drives them through
 * {@code front.MetalbootFront}, and Ironic's agent API (a later front) will drive the same ones.
 * Each action is a plain call that returns how it ended; none throws for an expected failure.
 */
public final class AgentCore {
    /** The longest failure message an action reports (the appliance bounds it again). */
    static final int MAX_MESSAGE = 500;
    private static final Pattern URL_QUERY = Pattern.compile("(?i)\\b(https?://[^\\s?#]*)\\?(?!…)[^\\s#]*");

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

    /**
     * What writes an image to a disk ({@code io.metalboot.agent.deploy.ImageDeployer} in the
     * ramdisk): choose the disk by the hints, write, fsync, verify (and read back when asked).
     * It returns only after a verified write; every other end (checksum mismatch, truncated
     * stream, short write, I/O error, vanished disk) is an exception whose message says which.
     */
    @FunctionalInterface
    public interface Deployer {
        /**
         * @param progress told how far the write has come, as often as the deployer likes (the
         *                 front sends the latest with each heartbeat)
         */
        DeployedDisk deploy(DeployInstructions instructions, Consumer<DeployProgress> progress) throws Exception;

        /** After a later step of the deploy failed: what was written must not boot. */
        default void makeUnbootable(DeployedDisk disk) throws Exception {
        }
    }

    /** Where the machine's bootstrap data comes from during a deploy (the front asks the appliance). */
    @FunctionalInterface
    public interface BootstrapFetch {
        /** Empty: this machine has no bootstrap data, and the OS is written without any. */
        Optional<BootstrapDelivery> fetch(String deployId) throws Exception;

        BootstrapFetch NONE = deployId -> Optional.empty();
    }

    /** What places bootstrap data in the OS just written ({@code io.metalboot.agent.bootstrap.BootstrapPlacement}). */
    @FunctionalInterface
    public interface Bootstrapper {
        /** @return the disk as it is afterwards (a config drive adds a partition) */
        DeployedDisk place(DeployedDisk disk, BootstrapDelivery delivery) throws Exception;
    }

    /** For agents built without one: a deploy that brings bootstrap data fails with this reason. */
    public static final Bootstrapper NO_BOOTSTRAPPER = (disk, delivery) -> {
        throw new UnsupportedOperationException("bootstrap: this agent cannot place bootstrap data");
    };

    /** A deployer for agents built without one: every deploy fails with this reason. */
    public static final Deployer NO_DEPLOYER = (instructions, progress) -> {
        throw new UnsupportedOperationException("deploy: this agent has no image writer");
    };

    private final InventorySource inventory;
    private final PowerControl power;
    private final Deployer imageWriter;
    private final Bootstrapper bootstrapper;

    /** An agent that inspects and powers, and refuses every deploy ({@link #NO_DEPLOYER}). */
    public AgentCore(InventorySource inventory, PowerControl power) {
        this(inventory, power, NO_DEPLOYER);
    }

    /** @param imageWriter what {@link #deploy} runs */
    public AgentCore(InventorySource inventory, PowerControl power, Deployer imageWriter) {
        this(inventory, power, imageWriter, NO_BOOTSTRAPPER);
    }

    /** @param bootstrapper what places a deploy's bootstrap data in the written OS */
    public AgentCore(InventorySource inventory, PowerControl power, Deployer imageWriter, Bootstrapper bootstrapper) {
        this.inventory = inventory;
        this.power = power;
        this.imageWriter = java.util.Objects.requireNonNull(imageWriter, "imageWriter");
        this.bootstrapper = java.util.Objects.requireNonNull(bootstrapper, "bootstrapper");
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
                case DEPLOY -> ActionOutcome.failed("deploy: no instructions");
            };
        } catch (Exception e) {
            return ActionOutcome.failed(kind.wireName() + ": " + e.getMessage());
        }
    }

    /**
     * Writes the image the instructions name, blocking until the write is verified or failed. A
     * success carries the {@link DeployedDisk}; a failure one line of reason (prefixed
     * "deploy: "), with no URL query in it: the image URL's query is a credential.
     */
    public ActionOutcome deploy(DeployInstructions instructions, Consumer<DeployProgress> progress) {
        return deploy(instructions, progress, BootstrapFetch.NONE);
    }

    /**
     * As {@link #deploy(DeployInstructions, Consumer)}, then the machine's bootstrap data (read from
     * {@code bootstrap} once the write is verified) placed in the written OS. If that fails, the deploy
     * fails with the reason and the disk is made unbootable: a node that cannot join never boots as one.
     */
    public ActionOutcome deploy(DeployInstructions instructions, Consumer<DeployProgress> progress,
            BootstrapFetch bootstrap) {
        if (instructions == null || instructions.imageUrl() == null) {
            return ActionOutcome.failed("deploy: no instructions");
        }
        try {
            DeployedDisk disk = imageWriter.deploy(instructions, progress);
            if (disk == null) {
                return ActionOutcome.failed("deploy: the image writer returned without saying what it wrote");
            }
            try {
                Optional<BootstrapDelivery> delivery = bootstrap.fetch(instructions.deployId());
                if (delivery.isPresent()) {
                    disk = bootstrapper.place(disk, delivery.get());
                }
            } catch (Exception | Error e) {
                try {
                    imageWriter.makeUnbootable(disk);
                } catch (Exception wipe) {
                    e.addSuppressed(wipe);
                }
                throw e;
            }
            return ActionOutcome.deployed(disk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ActionOutcome.failed("deploy: interrupted");
        } catch (Exception | Error e) {
            String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                    : e.getMessage();
            String line = safeLine(message, instructions.imageUrl());
            return ActionOutcome.failed(line.startsWith("deploy") ? line : "deploy: " + line);
        }
    }

    /**
     * One line of at most {@link #MAX_MESSAGE} characters, with no URL query in it (the image URL
     * given, and any other http(s) URL's, cut at its '?') and no bootstrap token.
     */
    public static String safeLine(String message, String imageUrl) {
        String text = message;
        if (imageUrl != null) {
            int query = imageUrl.indexOf('?');
            if (query >= 0 && query + 1 < imageUrl.length()) {
                text = text.replace(imageUrl, imageUrl.substring(0, query) + "?…")
                        .replace(imageUrl.substring(query + 1), "…");
            }
        }
        text = URL_QUERY.matcher(text).replaceAll("$1?…");
        text = BootstrapTokens.mask(text);
        text = text.replaceAll("[\\r\\n\\t]+", " ").strip();
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE - 1) + "…";
    }
}
