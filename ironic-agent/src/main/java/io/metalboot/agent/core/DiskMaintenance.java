package io.metalboot.agent.core;

import io.metalboot.machine.agent.DeployedDisk;
import java.util.List;
import java.util.Optional;

/**
 * What the agent does to its disks besides writing an image (Ironic's cleaning and its steps
 * around a deploy), with no transport in it. The disks it touches are the deploy's candidates:
 * the same allow and deny lists, so a test's host disks are never among them.
 */
public interface DiskMaintenance {
    /**
     * Erases every candidate disk's metadata: partition tables (both GPT copies) and filesystem,
     * RAID and LVM signatures, as IPA's {@code erase_devices_metadata} does.
     *
     * @return the disks erased, each with what was found on it
     */
    List<String> eraseMetadata() throws Exception;

    /** Flushes every filesystem and block device buffer ({@code sync}). */
    void sync() throws Exception;

    /**
     * The removable-media boot loader ({@code \EFI\BOOT\BOOTX64.EFI} on x86-64) on the disk's EFI
     * system partition, read from the device's bytes; empty when there is no ESP or no such file.
     */
    Optional<String> removableLoader(DeployedDisk disk) throws Exception;

    /** Adds a config drive partition holding {@code image} (an ISO 9660 or VFAT image) at the disk's end. */
    DeployedDisk addConfigDrive(DeployedDisk disk, byte[] image) throws Exception;

    /** For agents built without one: every call fails, saying so. */
    DiskMaintenance NONE = new DiskMaintenance() {
        @Override
        public List<String> eraseMetadata() {
            throw new UnsupportedOperationException("this agent cannot erase disks");
        }

        @Override
        public void sync() {
            throw new UnsupportedOperationException("this agent cannot sync");
        }

        @Override
        public Optional<String> removableLoader(DeployedDisk disk) {
            return Optional.empty();
        }

        @Override
        public DeployedDisk addConfigDrive(DeployedDisk disk, byte[] image) {
            throw new UnsupportedOperationException("this agent cannot write a config drive");
        }
    };
}
