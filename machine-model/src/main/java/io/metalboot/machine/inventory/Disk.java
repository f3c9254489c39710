package io.metalboot.machine.inventory;

import java.util.Objects;

/**
 * One entry of IPA {@code inventory["disks"]} ({@code hardware.BlockDevice}, its
 * {@code serializable_fields}), plus one field of ours, {@link #removable}, which the agent's inventory JSON
 * leaves out.
 *
 * @param name               IPA {@code name}: the device node, "/dev/vda"; required.
 * @param model              IPA {@code model}: "LAB-SSD", "Samsung SSD 870"; null when the device has none
 *                           (virtio-blk).
 * @param size               IPA {@code size}: bytes; required, at least 0.
 * @param rotational         IPA {@code rotational}: the kernel's queue/rotational.
 * @param wwn                IPA {@code wwn}: "0x5000c50015ea71ac" (or an NVMe "eui."/"nvme." id); null if none.
 * @param wwnWithExtension   IPA {@code wwn_with_extension}: the WWN with its vendor extension, if any.
 * @param wwnVendorExtension IPA {@code wwn_vendor_extension}: the vendor extension alone, "0x…"; null if none.
 * @param serial             IPA {@code serial}: the disk's serial number.
 * @param vendor             IPA {@code vendor}: the device's vendor string ("ATA", "METALBT", or a virtio
 *                           device's PCI-style id "0x1af4", as IPA reads it from sysfs).
 * @param hctl               IPA {@code hctl}: SCSI host:channel:target:lun, "0:0:0:0"; null for non-SCSI.
 * @param byPath             IPA {@code by_path}: "/dev/disk/by-path/pci-0000:00:04.0"; null when no udev
 *                           link points to the device.
 * @param logicalSectors     IPA {@code logical_sectors}: despite the name, the logical sector <em>size</em>
 *                           in bytes (lsblk's LOG-SEC), 512 or 4096.
 * @param physicalSectors    IPA {@code physical_sectors}: the physical sector size in bytes (PHY-SEC).
 * @param tran               IPA {@code tran}: the transport as lsblk names it ("sata", "sas", "nvme",
 *                           "usb", "virtio", …); null when unknown.
 * @param removable          ours: the kernel's {@code /sys/block/DEV/removable} (lsblk's RM): removable media
 *                           (card readers, many USB sticks). Not one of IPA's fields (IPA collects no RM):
 *                           the agent's own, for the choice of a target disk, and left out of the
 *                           inventory's JSON.
 */
public record Disk(String name, String model, long size, boolean rotational, String wwn, String wwnWithExtension,
        String wwnVendorExtension, String serial, String vendor, String hctl, String byPath,
        Integer logicalSectors, Integer physicalSectors, String tran, boolean removable) {
    public Disk {
        Objects.requireNonNull(name, "a disk has a name");
        if (!name.startsWith("/dev/")) {
            throw new IllegalArgumentException("a disk's name is its device node under /dev/, not '" + name + "'");
        }
        if (size < 0) {
            throw new IllegalArgumentException("disk " + name + ": size is at least 0 bytes, not " + size);
        }
        positiveOrNull(name, "logical_sectors", logicalSectors);
        positiveOrNull(name, "physical_sectors", physicalSectors);
    }

    private static void positiveOrNull(String name, String field, Integer value) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException("disk " + name + ": " + field + " is null or positive, not " + value);
        }
    }
}
