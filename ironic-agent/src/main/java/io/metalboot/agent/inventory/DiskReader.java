package io.metalboot.agent.inventory;

import io.metalboot.machine.inventory.Disk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The whole disks under {@code sys/block} of a root, with the facts IPA gets from lsblk and udev,
 * read from sysfs (and udev's {@code dev/disk/by-path} links when udev made them).
 *
 * <p>Which devices: what lsblk calls TYPE "disk" and IPA keeps — not virtual devices (loop, ram,
 * zram, dm, nbd, under {@code devices/virtual/}) except md RAID, which IPA keeps; not floppies
 * (fd*); not SCSI devices of another type than 0 (CD/DVD are 5); not devices of size 0.
 * Removable media are kept, as IPA keeps them, with {@code removable} from the disk's
 * {@code removable} attribute (lsblk's RM), for the target-disk choice to leave them out.
 */
public final class DiskReader {
    private static final Pattern HCTL = Pattern.compile("\\d+:\\d+:\\d+:\\d+");
    private static final Pattern HOST = Pattern.compile("host\\d+");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");

    private final Path root;
    private final Path realRoot;

    private final boolean includeLoop;

    public DiskReader(Path root) {
        this(root, false);
    }

    /**
     * {@code includeLoop}: loop devices too, for a deploy whose allow list names them (tests on a
     * host, with loop devices they made); the inventory never lists them, as IPA does not.
     */
    public DiskReader(Path root, boolean includeLoop) {
        this.includeLoop = includeLoop;
        this.root = root;
        Path real = Sysfs.real(root);
        this.realRoot = real == null ? root : real;
    }

    /** A resolved path as it is on the machine: "/sys/devices/…", without the root's own path. */
    private String onMachine(Path real) {
        return real.startsWith(realRoot) ? "/" + realRoot.relativize(real) : real.toString();
    }

    public List<Disk> read() {
        List<Disk> disks = new ArrayList<>();
        Path block = root.resolve("sys/block");
        for (String kname : Sysfs.names(block)) {
            Disk disk = read(kname, block.resolve(kname));
            if (disk != null) {
                disks.add(disk);
            }
        }
        return disks;
    }

    private Disk read(String kname, Path dir) {
        Path real = Sysfs.real(dir);
        if (real == null || kname.startsWith("fd")) {
            return null;
        }
        if (onMachine(real).startsWith("/sys/devices/virtual/") && !kname.startsWith("md")
                && !(includeLoop && kname.startsWith("loop"))) {
            return null;
        }
        Integer scsiType = Sysfs.integer(dir.resolve("device/type"));
        if (scsiType != null && scsiType != 0) {
            return null;
        }
        Long sectors = Sysfs.number(dir.resolve("size"));
        if (sectors == null || sectors <= 0) {
            return null;
        }
        // sysfs spells a '/' in a device name as '!' (cciss!c0d0 is /dev/cciss/c0d0).
        String devName = kname.replace('!', '/');
        Path device = Sysfs.real(dir.resolve("device"));
        String hctl = device != null && HCTL.matcher(device.getFileName().toString()).matches()
                ? device.getFileName().toString() : null;
        Wwn wwn = wwn(kname, dir);
        return new Disk("/dev/" + devName,
                Sysfs.text(dir.resolve("device/model")),
                sectors * 512, // sysfs counts 512-byte sectors whatever the device's sector size
                "1".equals(Sysfs.text(dir.resolve("queue/rotational"))),
                wwn.wwn(), wwn.withExtension(), wwn.vendorExtension(),
                serial(dir),
                Sysfs.text(dir.resolve("device/vendor")),
                hctl,
                byPath(devName),
                Sysfs.integer(dir.resolve("queue/logical_block_size")),
                Sysfs.integer(dir.resolve("queue/physical_block_size")),
                transport(kname, dir, device, hctl != null),
                "1".equals(Sysfs.text(dir.resolve("removable"))));
    }

    /**
     * The serial lsblk reports: the disk's own {@code serial} (virtio-blk), the device's
     * {@code serial} (NVMe controllers, some others), else the SCSI Unit Serial Number VPD page
     * (80h, which ATA disks behind libata answer too) — udev's ID_SCSI_SERIAL, the one lsblk prefers.
     */
    private static String serial(Path dir) {
        String serial = Sysfs.text(dir.resolve("serial"));
        if (serial == null) {
            serial = Sysfs.text(dir.resolve("device/serial"));
        }
        if (serial == null) {
            serial = vpdUnitSerial(Sysfs.bytes(dir.resolve("device/vpd_pg80")));
        }
        return serial;
    }

    /** VPD page 80h: byte 1 the page code, bytes 2-3 the length, then the serial in ASCII. */
    static String vpdUnitSerial(byte[] page) {
        if (page == null || page.length < 4 || (page[1] & 0xff) != 0x80) {
            return null;
        }
        int length = Math.min(((page[2] & 0xff) << 8) | (page[3] & 0xff), page.length - 4);
        String serial = new String(page, 4, length, StandardCharsets.US_ASCII).strip();
        return serial.isEmpty() ? null : serial;
    }

    record Wwn(String wwn, String withExtension, String vendorExtension) {
        static final Wwn NONE = new Wwn(null, null, null);
    }

    /**
     * The world wide name as udev and lsblk give it. From a SCSI (or SAT-translated ATA) device's
     * {@code wwid}: an NAA designator "naa.5000c50015ea71ac" is "0x5000c50015ea71ac"; a 32-digit NAA
     * 6 registered extended one is the first 16 digits, its vendor extension the last 16, and lsblk's
     * WWN (so IPA's wwn) the whole "0x…32 digits" as udev's ID_WWN_WITH_EXTENSION. Other SCSI
     * designators (t10., eui.) give none, as udev's scsi_id gives none. An NVMe namespace's own
     * {@code wwid} ("eui.…", "nvme.…") is the WWN as it is, with no extension (udev sets only ID_WWN).
     */
    private static Wwn wwn(String kname, Path dir) {
        if (kname.startsWith("nvme")) {
            String wwid = Sysfs.text(dir.resolve("wwid"));
            return wwid == null ? Wwn.NONE : new Wwn(wwid, null, null);
        }
        String wwid = Sysfs.text(dir.resolve("device/wwid"));
        if (wwid == null || !wwid.startsWith("naa.")) {
            return Wwn.NONE;
        }
        String hex = wwid.substring(4).toLowerCase(Locale.ROOT);
        if (!HEX.matcher(hex).matches()) {
            return Wwn.NONE;
        }
        if (hex.length() == 32) {
            return new Wwn("0x" + hex, "0x" + hex, "0x" + hex.substring(16));
        }
        if (hex.length() == 16) {
            return new Wwn("0x" + hex, "0x" + hex, null);
        }
        return Wwn.NONE;
    }

    /**
     * udev's link for the disk in {@code dev/disk/by-path}, as "/dev/disk/by-path/NAME". When
     * several point to it (virtio disks also have the deprecated "virtio-pci-…" link) the first
     * name in sorted order is taken, which is udev's ID_PATH one. Null without udev's links.
     */
    private String byPath(String devName) {
        Path links = root.resolve("dev/disk/by-path");
        Path device = root.resolve("dev").resolve(devName).normalize();
        for (String name : Sysfs.names(links)) {
            Path link = links.resolve(name);
            if (!Files.isSymbolicLink(link)) {
                continue;
            }
            try {
                Path target = links.resolve(Files.readSymbolicLink(link)).normalize();
                if (target.equals(device)) {
                    return "/dev/disk/by-path/" + name;
                }
            } catch (java.io.IOException e) {
                // unreadable link: not ours
            }
        }
        return null;
    }

    /**
     * lsblk's TRAN (util-linux 2.38, the one Debian 12 and the fixtures have): for a SCSI device,
     * the kind of its host — spi, fc, sas (or a sas_device), sbp (ieee1394_id), iscsi, usb (a USB
     * path), or through the host's driver name sata (ahci*, sata*) or ata (*ata*); nvme for NVMe;
     * null otherwise (virtio-blk and virtio-scsi included, as lsblk 2.38 says).
     */
    private String transport(String kname, Path dir, Path device, boolean scsi) {
        if (scsi && device != null) {
            String host = null;
            for (Path p = device; p != null && p.getFileName() != null; p = p.getParent()) {
                if (HOST.matcher(p.getFileName().toString()).matches()) {
                    host = p.getFileName().toString();
                    break;
                }
            }
            if (host != null) {
                Path classes = root.resolve("sys/class");
                if (Files.exists(classes.resolve("spi_host").resolve(host))) {
                    return "spi";
                }
                if (Files.exists(classes.resolve("fc_host").resolve(host))) {
                    String name = Sysfs.text(classes.resolve("fc_host").resolve(host).resolve("symbolic_name"));
                    return name == null ? null : name.contains(" over ") ? "fcoe" : "fc";
                }
                if (Files.exists(classes.resolve("sas_host").resolve(host))
                        || Files.exists(dir.resolve("device/sas_device"))) {
                    return "sas";
                }
                if (Files.exists(dir.resolve("device/ieee1394_id"))) {
                    return "sbp";
                }
                if (Files.exists(classes.resolve("iscsi_host").resolve(host))) {
                    return "iscsi";
                }
                if (onMachine(device).contains("usb")) {
                    return "usb";
                }
                String driver = Sysfs.text(classes.resolve("scsi_host").resolve(host).resolve("proc_name"));
                if (driver != null) {
                    if (driver.startsWith("ahci") || driver.startsWith("sata")) {
                        return "sata";
                    }
                    if (driver.contains("ata")) {
                        return "ata";
                    }
                }
            }
            return null;
        }
        return kname.startsWith("nvme") ? "nvme" : null;
    }
}
