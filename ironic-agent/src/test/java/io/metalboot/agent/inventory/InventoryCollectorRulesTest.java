package io.metalboot.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.inventory.Baseboard;
import io.metalboot.machine.inventory.Boot;
import io.metalboot.machine.inventory.Cpu;
import io.metalboot.machine.inventory.Disk;
import io.metalboot.machine.inventory.Inventory;
import io.metalboot.machine.inventory.NetworkInterface;
import io.metalboot.machine.inventory.SystemFirmware;
import io.metalboot.machine.inventory.SystemVendor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector's rules on sysfs trees laid out as Linux lays them out, for hardware the QEMU
 * captures do not have: NVMe, SATA, SAS, USB, md RAID, CD-ROM, floppy, loop; PCI NICs, bonds, VLANs,
 * bridges, InfiniBand; an ARM CPU; no SMBIOS or a broken one.
 */
class InventoryCollectorRulesTest {
    @TempDir
    Path root;

    private static final String PCI_NVME = "pci0000:00/0000:00:1d.0/0000:3d:00.0";
    private static final String SATA = "pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0";
    private static final String SAS = "pci0000:00/0000:00:03.0/0000:05:00.0/host1/port-1:0/end_device-1:0"
            + "/target1:0:0/1:0:0:0";
    private static final String USB = "pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0";

    /** VPD page 80h: peripheral byte, page code, length, then the serial as the drive pads it. */
    private static byte[] vpd80(String serial) {
        byte[] ascii = serial.getBytes(StandardCharsets.US_ASCII);
        byte[] page = new byte[4 + ascii.length];
        page[1] = (byte) 0x80;
        page[3] = (byte) ascii.length;
        System.arraycopy(ascii, 0, page, 4, ascii.length);
        return page;
    }

    @Test
    void wholeDisksOfEveryKindWithWhatLsblkWouldSay() {
        SysfsTree tree = new SysfsTree(root);
        // NVMe: the namespace's device is the controller, which holds model and serial.
        String ns = "sys/devices/" + PCI_NVME + "/nvme/nvme0/nvme0n1";
        tree.file(ns + "/size", "1953525168\n").file(ns + "/queue/rotational", "0\n")
                .file(ns + "/queue/logical_block_size", "512\n").file(ns + "/queue/physical_block_size", "512\n")
                .file(ns + "/wwid", "eui.0025388b71b0bd4d\n").link(ns + "/device", "../../nvme0")
                .file("sys/devices/" + PCI_NVME + "/nvme/nvme0/model", "Samsung SSD 980 1TB                     \n")
                .file("sys/devices/" + PCI_NVME + "/nvme/nvme0/serial", "S64DNX0R123456      \n")
                .link("sys/block/nvme0n1", "../devices/" + PCI_NVME + "/nvme/nvme0/nvme0n1")
                .link("dev/disk/by-path/pci-0000:3d:00.0-nvme-1", "../../nvme0n1")
                .link("dev/disk/by-path/pci-0000:3d:00.0-nvme-1-part1", "../../nvme0n1p1");
        // SATA behind AHCI: SCSI attributes, the SAT-translated NAA WWN and VPD 80h serial.
        tree.disk("sda", SATA, 7814037168L, "../../../0:0:0:0")
                .file("sys/devices/" + SATA + "/block/sda/queue/rotational", "1\n")
                .file("sys/devices/" + SATA + "/block/sda/removable", "0\n")
                .file("sys/devices/" + SATA + "/type", "0\n")
                .file("sys/devices/" + SATA + "/vendor", "ATA     \n")
                .file("sys/devices/" + SATA + "/model", "ST4000NM0035-1V4\n")
                .file("sys/devices/" + SATA + "/wwid", "naa.5000C500A1B2C3D4\n")
                .file("sys/devices/" + SATA + "/vpd_pg80", vpd80("            ZC1ABCDE"))
                .file("sys/devices/pci0000:00/0000:00:17.0/ata1/host0/scsi_host/host0/proc_name", "ahci\n")
                .link("sys/class/scsi_host/host0", "../../devices/pci0000:00/0000:00:17.0/ata1/host0/scsi_host/host0");
        // SAS: a RAID volume with an NAA 6 registered extended WWN (32 digits).
        tree.disk("sdb", SAS, 1000, "../../../1:0:0:0")
                .file("sys/devices/" + SAS + "/type", "0\n")
                .file("sys/devices/" + SAS + "/wwid", "naa.600508b1001c4d1e2f3a4b5c6d7e8f90\n")
                .file("sys/devices/pci0000:00/0000:00:03.0/0000:05:00.0/host1/sas_host/host1/uevent", "")
                .link("sys/class/sas_host/host1", "../../devices/pci0000:00/0000:00:03.0/0000:05:00.0/host1/sas_host/host1");
        // USB mass storage, removable media (a card reader's slot, a USB stick).
        tree.disk("sdc", USB, 2000, "../../../6:0:0:0").file("sys/devices/" + USB + "/type", "0\n")
                .file("sys/devices/" + USB + "/block/sdc/removable", "1\n")
                .file("sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/scsi_host/host6/proc_name",
                        "usb-storage\n")
                .link("sys/class/scsi_host/host6",
                        "../../devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/scsi_host/host6");
        // Not disks: a CD-ROM (SCSI type 5), a floppy, loop, an empty disk. md RAID is one.
        tree.disk("sr0", "pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0", 2097151, "../../../1:0:0:0")
                .file("sys/devices/pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0/type", "5\n")
                .disk("fd0", "platform/floppy.0", 2880, null)
                .disk("loop0", "virtual", 1000, null)
                .disk("vdz", "pci0000:00/0000:00:09.0/virtio9", 0, null)
                .disk("md0", "virtual", 4000, null)
                .disk("cciss!c0d0", "pci0000:00/0000:00:0a.0", 100, null);

        List<Disk> disks = tree.collector().collect(null).disks();
        assertEquals(List.of("/dev/cciss/c0d0", "/dev/md0", "/dev/nvme0n1", "/dev/sda", "/dev/sdb", "/dev/sdc"),
                disks.stream().map(Disk::name).toList());
        assertEquals(new Disk("/dev/nvme0n1", "Samsung SSD 980 1TB", 1953525168L * 512, false, "eui.0025388b71b0bd4d",
                null, null, "S64DNX0R123456", null, null, "/dev/disk/by-path/pci-0000:3d:00.0-nvme-1", 512, 512, "nvme", false),
                disks.get(2));
        assertEquals(new Disk("/dev/sda", "ST4000NM0035-1V4", 7814037168L * 512, true, "0x5000c500a1b2c3d4",
                "0x5000c500a1b2c3d4", null, "ZC1ABCDE", "ATA", "0:0:0:0", null, 512, 4096, "sata", false), disks.get(3));
        Disk sas = disks.get(4);
        assertEquals("0x600508b1001c4d1e2f3a4b5c6d7e8f90", sas.wwn());
        assertEquals("0x600508b1001c4d1e2f3a4b5c6d7e8f90", sas.wwnWithExtension());
        assertEquals("0x2f3a4b5c6d7e8f90", sas.wwnVendorExtension());
        assertEquals("sas", sas.tran());
        assertEquals("1:0:0:0", sas.hctl());
        assertEquals("usb", disks.get(5).tran());
        assertTrue(disks.get(5).removable(), "the kernel's removable attribute");
        assertFalse(disks.get(4).removable(), "no removable attribute: not removable");
        assertNull(disks.get(1).tran());
        assertNull(disks.get(1).hctl());
    }

    @Test
    void theInterfacesIpaListsAndTheirLinks() {
        SysfsTree tree = new SysfsTree(root);
        String pci = "pci0000:00/0000:00:1c.0/0000:02:00.0";
        tree.nic("eno1", pci, "1", "3C:EC:EF:00:00:01").link("sys/devices/" + pci + "/net/eno1/device", "../../../0000:02:00.0")
                .file("sys/devices/" + pci + "/vendor", "0x8086\n").file("sys/devices/" + pci + "/device", "0x1533\n")
                .link("sys/devices/" + pci + "/driver", "../../../../bus/pci/drivers/igb")
                .file("sys/devices/" + pci + "/net/eno1/carrier", "1\n")
                .file("sys/devices/" + pci + "/net/eno1/speed", "1000\n");
        String pci2 = "pci0000:00/0000:00:1c.1/0000:03:00.0";
        tree.nic("eno2", pci2, "1", "3c:ec:ef:00:00:02").link("sys/devices/" + pci2 + "/net/eno2/device", "../../../0000:03:00.0")
                .file("sys/devices/" + pci2 + "/net/eno2/carrier", "0\n")
                .file("sys/devices/" + pci2 + "/net/eno2/speed", "1000\n");
        String ib = "pci0000:00/0000:00:02.0/0000:04:00.0";
        tree.nic("ib0", ib, "32", "80:00:02:08:fe:80:00:00:00:00:00:00:7c:fe:90:03:00:29:26:52")
                .link("sys/devices/" + ib + "/net/ib0/device", "../../../0000:04:00.0");
        tree.nic("bond0", "virtual", "1", "3c:ec:ef:00:00:01").file("sys/devices/virtual/net/bond0/bonding/mode",
                "802.3ad 4\n");
        tree.nic("eno1.100", "virtual", "1", "3c:ec:ef:00:00:01");
        tree.nic("br0", "virtual", "1", "3c:ec:ef:00:00:09");
        tree.nic("lo", "virtual", "772", "00:00:00:00:00:00");
        tree.file("proc/net/if_inet6", String.join("\n",
                "fe800000000000003eeceffffe000001 02 40 20 80     eno1",
                "20010db8000000000000000000000010 02 40 00 80     eno1",
                "20010db8000000000000000000000020 03 40 00 c0     eno2", // tentative (40h): not yet
                "00000000000000000000000000000001 01 80 10 80       lo") + "\n");

        List<NetworkInterface> nics = tree.collector().collect(null).interfaces();
        assertEquals(List.of("bond0", "eno1", "eno1.100", "eno2"), nics.stream().map(NetworkInterface::name).toList());
        assertEquals(new NetworkInterface("eno1", "3c:ec:ef:00:00:01", null, "2001:db8::10", true, "0x8086", "0x1533",
                null, 1000, "0000:02:00.0", "igb", null), nics.get(1));
        NetworkInterface down = nics.get(3);
        assertEquals(false, down.hasCarrier());
        assertNull(down.speedMbps(), "no speed for a link without carrier, whatever sysfs says");
        assertNull(down.ipv6Address());
        assertNull(nics.get(0).pciAddress());
        assertNull(nics.get(0).driver());
    }

    @Test
    void anArmCpuWithCpufreqAndNoArchFile() {
        SysfsTree tree = new SysfsTree(root);
        StringBuilder cpuinfo = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            cpuinfo.append("processor\t: ").append(i).append("\nBogoMIPS\t: 50.00\n")
                    .append("Features\t: fp asimd evtstrm aes\nCPU implementer\t: 0x41\n\n");
        }
        tree.file("proc/cpuinfo", cpuinfo.toString())
                .file("sys/devices/system/cpu/present", "0-3\n")
                .file("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "2000000\n");
        Cpu cpu = new InventoryCollector(root, HostFacts.fixed(java.util.Map.of(), "aarch64")).collect(null).cpu();
        assertEquals(new Cpu(null, "2000.0000", 4, "aarch64", List.of("fp", "asimd", "evtstrm", "aes"), null), cpu);
    }

    @Test
    void countAndSocketsFallBackToCpuinfo() {
        SysfsTree tree = new SysfsTree(root);
        tree.file("proc/cpuinfo", "processor\t: 0\nphysical id\t: 0\ncpu MHz\t\t: 2100.000\n\n"
                + "processor\t: 1\nphysical id\t: 1\n\nprocessor\t: 2\nphysical id\t: 1\n\n");
        Cpu cpu = tree.collector().collect(null).cpu();
        assertEquals(3, cpu.count());
        assertEquals(2, cpu.socketCount());
        assertEquals("2100.000", cpu.frequency());
        assertEquals("x86_64", cpu.architecture());
    }

    @Test
    void noSmbiosTableLeavesItsFieldsNull() {
        Inventory inventory = new SysfsTree(root).collector().collect(null);
        assertEquals(new SystemVendor(null, null, null, SystemFirmware.UNKNOWN), inventory.systemVendor());
        assertEquals(Baseboard.UNKNOWN, inventory.baseboard());
        assertNull(inventory.smbiosUuid());
        assertNull(inventory.memory().physicalMb());
        assertEquals(1024L * 1024, inventory.memory().total());
        assertEquals(Boot.BIOS, inventory.boot().currentBootMode());
        assertNull(inventory.hostname());
    }

    @Test
    void aBrokenSmbiosTableIsLoggedAndLeftOut() {
        byte[] table = Fixtures.bytes(Fixtures.BIOS, "sys/firmware/dmi/tables/DMI");
        table[1] = 2; // the first structure's length below its header
        new SysfsTree(root).file("sys/firmware/dmi/tables/DMI", table)
                .file("sys/firmware/dmi/tables/smbios_entry_point",
                        Fixtures.bytes(Fixtures.BIOS, "sys/firmware/dmi/tables/smbios_entry_point"));
        Inventory inventory = new SysfsTree(root).collector().collect(null);
        assertNull(inventory.systemVendor().serialNumber());
        assertNull(inventory.memory().physicalMb());
    }

    @Test
    void aTableWithoutItsEntryPointIsReadAsSmbios26OrLater() {
        new SysfsTree(root).file("sys/firmware/dmi/tables/DMI", Fixtures.bytes(Fixtures.BIOS,
                "sys/firmware/dmi/tables/DMI"));
        assertEquals("11223344-5566-7788-99aa-bbccddeeff10",
                new SysfsTree(root).collector().collect(null).smbiosUuid());
    }

    @Test
    void efiFirmwareMeansUefiAndTheKernelsNoneIsNoHostname() {
        new SysfsTree(root).file("sys/firmware/efi/fw_platform_size", "64\n")
                .file("proc/sys/kernel/hostname", "(none)\n");
        Inventory inventory = new SysfsTree(root).collector().collect(null);
        assertEquals(Boot.UEFI, inventory.boot().currentBootMode());
        assertNull(inventory.hostname());
    }

    @Test
    void withoutCpuinfoOrMeminfoThisIsNoLinux() throws IOException {
        InventoryCollector collector = new SysfsTree(root).collector();
        Files.delete(root.resolve("proc/cpuinfo"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> collector.collect(null));
        assertEquals("cannot read " + root.resolve("proc/cpuinfo"), e.getMessage());
        Files.writeString(root.resolve("proc/cpuinfo"), "processor\t: 0\n");
        Files.delete(root.resolve("proc/meminfo"));
        e = assertThrows(UncheckedIOException.class, () -> collector.collect(null));
        assertEquals("cannot read " + root.resolve("proc/meminfo"), e.getMessage());
    }
}
