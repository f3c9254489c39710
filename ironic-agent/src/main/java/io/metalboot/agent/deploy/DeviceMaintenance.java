package io.metalboot.agent.deploy;

import io.metalboot.agent.bootstrap.BootstrapPlacement;
import io.metalboot.agent.core.DiskMaintenance;
import io.metalboot.agent.deploy.disk.TargetDiskChooser;
import io.metalboot.agent.deploy.fs.EfiRemovableLoader;
import io.metalboot.machine.agent.DeployedDisk;
import io.metalboot.machine.inventory.Disk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/** {@link DiskMaintenance} on the machine's block devices, limited to the deploy's candidates. */
public final class DeviceMaintenance implements DiskMaintenance {
    private static final Logger LOG = Logger.getLogger(DeviceMaintenance.class.getName());
    private final ImageDeployer.Settings settings;

    /** @param settings the deploy's: where the disks come from and which may be touched */
    public DeviceMaintenance(ImageDeployer.Settings settings) {
        this.settings = settings;
    }

    @Override
    public List<String> eraseMetadata() throws IOException {
        List<String> erased = new ArrayList<>();
        ByteBuffer zeros = ByteBuffer.allocateDirect(1024 * 1024 + 4096).alignedSlice(4096);
        for (Disk disk : TargetDiskChooser.candidates(settings.disks().get(), settings.policy())) {
            try (TargetDevice device = TargetDevice.open(Path.of(disk.name()))) {
                SignatureWiper.WipeReport report = SignatureWiper.wipe(device, zeros);
                device.sync();
                device.rereadPartitions();
                String line = disk.name() + " (" + report.summary() + ")";
                LOG.info(() -> "erased the metadata of " + line);
                erased.add(line);
            }
        }
        return erased;
    }

    @Override
    public void sync() throws IOException, InterruptedException {
        int exit = new ProcessBuilder("sync").inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException("sync exited " + exit);
        }
    }

    @Override
    public Optional<String> removableLoader(DeployedDisk disk) throws IOException {
        try (TargetDevice device = TargetDevice.open(Path.of(disk.disk()))) {
            return EfiRemovableLoader.find((offset, length) -> SignatureWiper.read(device, offset, length), disk)
                    .map(loader -> "\\" + loader.path().replace('/', '\\') + " (partition " + loader.partitionNumber()
                            + ", " + loader.sizeBytes() + " bytes)");
        }
    }

    @Override
    public DeployedDisk addConfigDrive(DeployedDisk disk, byte[] image) throws IOException {
        return BootstrapPlacement.withConfigDrive(disk, image, "from Ironic");
    }
}
