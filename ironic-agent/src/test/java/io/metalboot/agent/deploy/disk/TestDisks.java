package io.metalboot.agent.deploy.disk;

import io.metalboot.machine.inventory.Disk;
import java.util.List;

/** Disks as the inventory has them, for the hint and choice tests. */
final class TestDisks {
    static final long GIB = 1L << 30;

    // name, bytes, model, rotational, wwn, wwn_with_extension, wwn_vendor_extension, serial, vendor, hctl,
    // by_path, tran, removable
    static final Disk SDA = new Disk("/dev/sda", "Samsung SSD 870", 10 * GIB, false, "0x5002538e40a1b2c3",
            "0x5002538e40a1b2c3", null, "S5Y1NX0R", "ATA", "0:0:0:0", "/dev/disk/by-path/pci-0000:00:1f.2-ata-1",
            512, 512, "sata", false);
    static final Disk SDB = new Disk("/dev/sdb", "ST4000NM0035-1V4", 20 * GIB, true, "0x5000c500a1b2c3d4",
            "0x5000c500a1b2c3d4", null, "ZC1ABCDE", "ATA", "1:0:0:0", "/dev/disk/by-path/pci-0000:00:1f.2-ata-2",
            512, 4096, "sata", false);
    /** 10.5 GiB: Ironic compares bytes / 2^30 as a number, so "== 10" is not this one. */
    static final Disk NVME = new Disk("/dev/nvme0n1", "Samsung SSD 980 1TB", 21 * GIB / 2, false,
            "eui.0025388b71b0bd4d", null, null, "S64DNX0R123456", null, null,
            "/dev/disk/by-path/pci-0000:3d:00.0-nvme-1", 512, 512, "nvme", false);
    /** virtio-blk: no model, no hctl, no tran. */
    static final Disk VDA = new Disk("/dev/vda", null, 30 * GIB, true, null, null, null, "DISK-A-0001", "0x1af4",
            null, "/dev/disk/by-path/pci-0000:00:03.0", 512, 512, null, false);
    /** A SAS RAID volume with an NAA 6 registered extended WWN. */
    static final Disk SDC = new Disk("/dev/sdc", "LOGICAL VOLUME", 40 * GIB, false,
            "0x600508b1001c4d1e2f3a4b5c6d7e8f90", "0x600508b1001c4d1e2f3a4b5c6d7e8f90", "0x2f3a4b5c6d7e8f90",
            "PDNLH0BRH9Z0HX", "HP", "2:1:0:0", null, 512, 512, "sas", false);

    static final List<Disk> ALL = List.of(SDA, SDB, NVME, VDA, SDC);

    private TestDisks() {
    }

    static Disk disk(String name, long bytes) {
        return new Disk(name, null, bytes, false, null, null, null, null, null, null, null, 512, 512, null, false);
    }

    static Disk disk(String name, long bytes, String byPath) {
        return new Disk(name, null, bytes, false, null, null, null, null, null, null, byPath, 512, 512, null, false);
    }

    static Disk removable(String name, long bytes) {
        return new Disk(name, "Cruzer Blade", bytes, false, null, null, null, "4C530001", "SanDisk", "6:0:0:0", null,
                512, 512, "usb", true);
    }
}
