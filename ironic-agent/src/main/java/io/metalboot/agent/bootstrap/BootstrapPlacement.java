package io.metalboot.agent.bootstrap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.agent.configdrive.ConfigDrive;
import io.metalboot.agent.configdrive.ConfigDriveImage;
import io.metalboot.agent.configdrive.ConfigDriveLayout;
import io.metalboot.agent.configdrive.ConfigDrivePartition;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.deploy.ImageDeployer;
import io.metalboot.agent.deploy.TargetDevice;
import io.metalboot.cloudconfig.CloudConfigCompiler;
import io.metalboot.cloudconfig.CloudConfigException;
import io.metalboot.cloudconfig.CompiledBootstrap;
import io.metalboot.cloudconfig.InstanceData;
import io.metalboot.machine.agent.BootstrapDelivery;
import io.metalboot.machine.agent.DeployedDisk;
import io.metalboot.machine.agent.DeployedPartition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Places a machine's bootstrap in the OS its deploy just wrote, in one of two modes, chosen by
 * what the written OS is. With cloud-init (installed, not disabled): config-drive mode, as Ironic
 * does it: the user data unchanged, Metal³'s meta_data and the network data on a config drive in a
 * partition the agent adds at the disk's end, and a report unit that runs after cloud-final.
 * Without: first-boot mode, the cloud-config compiled to a shell script ({@link CloudConfigCompiler}:
 * anything it cannot do fails the deploy by name) with a one-shot unit that runs it. Both leave
 * the reporter and the node's credential (root only; never on the drive, which cloud-init
 * publishes). Nothing of the data is logged.
 */
public final class BootstrapPlacement implements AgentCore.Bootstrapper {
    private static final Logger LOG = Logger.getLogger(BootstrapPlacement.class.getName());
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** How the written OS will run its bootstrap. */
    public enum Mode {
        /** No cloud-init: the compiled script and its unit. */
        FIRST_BOOT,
        /** cloud-init reads the config drive; the report unit follows it. */
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
    public DeployedDisk place(DeployedDisk disk, BootstrapDelivery delivery) throws Exception {
        if (disk.rootPartition() == null) {
            throw new IOException("bootstrap: no partition of " + disk.disk() + " could be identified as the OS's /");
        }
        Path device = Path.of(disk.rootPartition());
        if (!Files.exists(device)) {
            throw new IOException("bootstrap: the root partition's device node " + device + " is missing");
        }
        byte[] drive = driveImage(delivery); // before anything is written: a drive too big fails here
        Mode mode;
        try (WrittenRoot root = WrittenRoot.mount(device, mountBase, driver)) {
            mode = place(root.dir(), delivery);
        }
        return mode == Mode.CONFIG_DRIVE ? withConfigDrive(disk, drive, delivery.configDrive()) : disk;
    }

    /**
     * Places the files under {@code root}, the written OS's mounted {@code /}; the mode it chose.
     * In config-drive mode the drive itself is the caller's to write ({@link #withConfigDrive}).
     */
    public static Mode place(Path root, BootstrapDelivery delivery) throws IOException, CloudConfigException {
        Mode mode = mode(root);
        if (mode == Mode.CONFIG_DRIVE) {
            NodeFiles.installReporter(root, delivery.nodeCredential(), delivery.reportUrl());
            NodeFiles.installCloudInitReport(root);
            LOG.info(() -> "bootstrap from " + delivery.origin() + ": config-drive mode (" + delivery.configDrive()
                    + "; cloud-init in the written OS), " + NodeFiles.REPORT_UNIT_NAME + " enabled");
            return mode;
        }
        if (!"cloud-config".equals(delivery.format())) {
            throw new IOException("bootstrap: " + delivery.format() + " data needs the image's own agent (ignition)"
                    + " and a config drive; first-boot mode runs cloud-config only");
        }
        CompiledBootstrap compiled = CloudConfigCompiler.compile(userData(delivery), new InstanceData(delivery.metaData()));
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

    /**
     * The drive's filesystem: OpenStack's layout (meta_data.json, network_data.json, user_data, as
     * Ironic builds it) labelled config-2, or NoCloud's labelled cidata. Only what the source
     * gave: never a credential of metalboot's (cloud-init publishes meta_data to every user).
     */
    static byte[] driveImage(BootstrapDelivery delivery) throws IOException {
        byte[] userData = userData(delivery);
        byte[] metaData = JSON.writeValueAsBytes(delivery.metaData());
        ConfigDrive drive = switch (delivery.configDrive()) {
            case ConfigDriveLayout.CONFIG_2 -> ConfigDriveLayout.openstack(metaData,
                    Optional.ofNullable(delivery.networkData()).map(n -> n.getBytes(StandardCharsets.UTF_8)),
                    Optional.of(userData));
            case ConfigDriveLayout.CIDATA -> {
                // NoCloud's meta-data needs instance-id; network_data.json is OpenStack's, which NoCloud does not read
                Map<String, Object> noCloud = new LinkedHashMap<>(delivery.metaData());
                noCloud.putIfAbsent("instance-id", delivery.metaData().getOrDefault("uuid", "metalboot"));
                yield ConfigDriveLayout.noCloud(JSON.writeValueAsBytes(noCloud), userData, Optional.empty());
            }
            default -> throw new IOException("bootstrap: no config drive '" + delivery.configDrive()
                    + "' (config-2 or cidata)");
        };
        return ConfigDriveImage.vfat(drive, delivery.configDrive());
    }

    /** The drive written into a partition added at the end of the disk; the disk as it is then. */
    public static DeployedDisk withConfigDrive(DeployedDisk disk, byte[] image, String label) throws IOException {
        try (TargetDevice device = TargetDevice.open(Path.of(disk.disk()))) {
            long size = device.isBlockDevice() ? device.size() : Files.size(device.path());
            ConfigDrivePartition.Placement placement = ConfigDrivePartition.add(ConfigDrivePartition.of(device),
                    disk.disk(), size, device.sectorSize(), image);
            device.sync();
            var p = placement.partition();
            TargetDevice.Reread reread = device.rereadPartitions();
            if (reread == TargetDevice.Reread.BUSY) {
                device.addPartition(p.number(), p.startBytes(), p.sizeBytes());
            }
            Path node = ImageDeployer.partitionNode(device.path(), p.number());
            List<DeployedPartition> partitions = new ArrayList<>(disk.partitions());
            partitions.add(new DeployedPartition(p.number(), node.toString(), Files.exists(node), p.uuid(), p.type(),
                    p.startBytes(), p.sizeBytes()));
            LOG.info(() -> disk.disk() + ": config drive " + label + " (" + image.length + " bytes) in partition "
                    + p.number() + " at byte " + p.startBytes() + (placement.backupGptMoved()
                            ? "; the backup GPT moved to the disk's end" : ""));
            return new DeployedDisk(disk.disk(), disk.serial(), disk.sourceChecksum(), disk.imageBytes(),
                    disk.tableType(), disk.diskGuid(), partitions, disk.rootPartition());
        }
    }

    private static byte[] userData(BootstrapDelivery delivery) throws IOException {
        try {
            return Base64.getDecoder().decode(delivery.userData());
        } catch (IllegalArgumentException e) {
            throw new IOException("bootstrap: the user data is not base64");
        }
    }
}
