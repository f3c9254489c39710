package io.metalboot.agent.bootstrap;

import io.metalboot.agent.core.AgentCore;
import io.metalboot.cloudconfig.CloudConfigCompiler;
import io.metalboot.cloudconfig.CloudConfigException;
import io.metalboot.cloudconfig.CompiledBootstrap;
import io.metalboot.cloudconfig.InstanceData;
import io.metalboot.machine.agent.BootstrapDelivery;
import io.metalboot.machine.agent.DeployedDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.logging.Logger;

/**
 * Places a machine's bootstrap in the OS its deploy just wrote. An OS without cloud-init (or with
 * it disabled) gets first-boot mode: the cloud-config compiled to a shell script
 * ({@link CloudConfigCompiler}: anything it cannot do fails the deploy by name), a one-shot unit
 * that runs it, and the reporter with the node's credential. Nothing of the data is logged.
 */
public final class BootstrapPlacement implements AgentCore.Bootstrapper {
    private static final Logger LOG = Logger.getLogger(BootstrapPlacement.class.getName());

    /** How the written OS will run its bootstrap. */
    public enum Mode {
        /** No cloud-init: the compiled script and its unit. */
        FIRST_BOOT,
        /** cloud-init reads a config drive (not written by this agent yet). */
        CONFIG_DRIVE
    }

    private final Path mountBase;
    private final WrittenRoot.FilesystemDriver driver;

    /**
     * @param mountBase where the written root is mounted while files are placed (/run/metalboot in the ramdisk)
     * @param driver    loads the root filesystem's driver where the kernel lacks it
     */
    public BootstrapPlacement(Path mountBase, WrittenRoot.FilesystemDriver driver) {
        this.mountBase = mountBase;
        this.driver = driver;
    }

    @Override
    public void place(DeployedDisk disk, BootstrapDelivery delivery) throws Exception {
        if (disk.rootPartition() == null) {
            throw new IOException("bootstrap: no partition of " + disk.disk() + " could be identified as the OS's /");
        }
        Path device = Path.of(disk.rootPartition());
        if (!Files.exists(device)) {
            throw new IOException("bootstrap: the root partition's device node " + device + " is missing");
        }
        try (WrittenRoot root = WrittenRoot.mount(device, mountBase, driver)) {
            place(root.dir(), delivery);
        }
    }

    /** Places the bootstrap under {@code root}, the written OS's mounted {@code /}; the mode it chose. */
    public static Mode place(Path root, BootstrapDelivery delivery) throws IOException, CloudConfigException {
        Mode mode = mode(root);
        if (mode == Mode.CONFIG_DRIVE) {
            // TODO(issue 16): the config drive, and the report unit after cloud-final.service
            throw new IOException("bootstrap: the written OS runs cloud-init, and its config drive is not built yet;"
                    + " disable cloud-init in the image (/etc/cloud/cloud-init.disabled) for first-boot mode");
        }
        if (!"cloud-config".equals(delivery.format())) {
            throw new IOException("bootstrap: " + delivery.format() + " data needs the image's own agent (ignition)"
                    + " and a config drive; first-boot mode runs cloud-config only");
        }
        byte[] userData = Base64.getDecoder().decode(delivery.userData());
        CompiledBootstrap compiled = CloudConfigCompiler.compile(userData, new InstanceData(delivery.metaData()));
        NodeFiles.installReporter(root, delivery.nodeCredential(), delivery.reportUrl());
        NodeFiles.installFirstBoot(root, compiled.script());
        LOG.info(() -> "bootstrap from " + delivery.origin() + ": first-boot mode (no cloud-init in the written OS),"
                + " " + NodeFiles.UNIT_NAME + " enabled");
        return mode;
    }

    /** cloud-init installed and not disabled: config-drive mode; else first-boot mode. */
    static Mode mode(Path root) {
        boolean cloudInit = Files.exists(root.resolve("usr/bin/cloud-init"));
        boolean disabled = Files.exists(root.resolve("etc/cloud/cloud-init.disabled"));
        return cloudInit && !disabled ? Mode.CONFIG_DRIVE : Mode.FIRST_BOOT;
    }
}
