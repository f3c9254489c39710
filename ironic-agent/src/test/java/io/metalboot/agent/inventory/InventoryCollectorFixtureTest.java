package io.metalboot.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.inventory.Baseboard;
import io.metalboot.machine.inventory.Boot;
import io.metalboot.machine.inventory.Cpu;
import io.metalboot.machine.inventory.Disk;
import io.metalboot.machine.inventory.Inventory;
import io.metalboot.machine.inventory.Memory;
import io.metalboot.machine.inventory.NetworkInterface;
import io.metalboot.machine.inventory.SystemFirmware;
import io.metalboot.machine.inventory.SystemVendor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The collector on the two QEMU captures: the inventory is exactly what QEMU was given (see
 * src/test/fixtures/README.md for the command lines). Three values are what the VM itself made of
 * its 2 GiB and its TCG CPU (MemTotal, cpu MHz, the flags); they are taken from the captured files
 * and from lscpu's reference output.
 */
class InventoryCollectorFixtureTest {
    private static final String GIVEN_UUID_BIOS = "11223344-5566-7788-99aa-bbccddeeff10";
    private static final String GIVEN_UUID_UEFI = "11223344-5566-7788-99aa-bbccddeeff11";
    private static final long GIB = 1L << 30;

    static Inventory collect(String fixture, String bootIf) {
        return new InventoryCollector(Fixtures.root(fixture), HostFacts.fixed(Map.of(), null))
                .collect(bootIf == null ? null : BootIf.parse(bootIf));
    }

    /** The three disks, the same in both captures. */
    private static List<Disk> givenDisks() {
        return List.of(
                new Disk("/dev/sda", "LAB-SSD", 2 * GIB, false, "0x5000c50015ea71ac", "0x5000c50015ea71ac", null,
                        "DISK-C-0003", "METALBT", "0:0:0:0", "/dev/disk/by-path/pci-0000:00:05.0-scsi-0:0:0:0",
                        512, 512, null, false),
                new Disk("/dev/vda", null, 4 * GIB, true, null, null, null, "DISK-A-0001", "0x1af4", null,
                        "/dev/disk/by-path/pci-0000:00:03.0", 512, 512, null, false),
                new Disk("/dev/vdb", null, 8 * GIB, true, null, null, null, "DISK-B-0002", "0x1af4", null,
                        "/dev/disk/by-path/pci-0000:00:04.0", 512, 4096, null, false));
    }

    private static List<String> lscpuFlags(String fixture) {
        for (String line : Fixtures.referenceText(fixture, "lscpu.txt").split("\n")) {
            if (line.startsWith("Flags:")) {
                return Arrays.asList(line.substring("Flags:".length()).strip().split(" "));
            }
        }
        throw new AssertionError("no Flags in lscpu.txt");
    }

    @Test
    void theSeabiosMachineIsWhatQemuWasGiven() {
        Inventory expected = new Inventory(
                new Cpu("QEMU Virtual CPU version 2.5+", "2445.439", 2, "x86_64", lscpuFlags(Fixtures.BIOS), 2),
                new Memory(2014128L * 1024, 2048L),
                givenDisks(),
                List.of(new NetworkInterface("eth0", "52:54:00:12:00:01", null, "fec0::5054:ff:fe12:1", true, "0x1af4",
                                "0x0001", null, 10000, "0000:00:06.0", "virtio_net", null),
                        new NetworkInterface("eth1", "52:54:00:12:00:02", null, null, false, "0x1af4", "0x0001", null,
                                null, "0000:00:07.0", "virtio_net", null)),
                new SystemVendor("PXE-Test-VM", "LAB-SERIAL-01", "Metalboot-Lab",
                        new SystemFirmware("Metalboot-Lab-Firmware", "1.2.3", "03/14/2025")),
                new Boot(Boot.BIOS, "52:54:00:12:00:01"),
                "lab-bios", GIVEN_UUID_BIOS, new Baseboard("Metalboot-Lab", "Lab-Board", "LAB-BOARD-01"));
        assertEquals(expected, collect(Fixtures.BIOS, "01-52-54-00-12-00-01"));
    }

    @Test
    void theOvmfMachineIsWhatQemuWasGiven() {
        Inventory expected = new Inventory(
                new Cpu("QEMU Virtual CPU version 2.5+", "2445.418", 2, "x86_64", lscpuFlags(Fixtures.UEFI), 1),
                new Memory(2007468L * 1024, 2048L),
                givenDisks(),
                List.of(new NetworkInterface("eth0", "52:54:00:12:00:01", null, "fec0::5054:ff:fe12:1", true, "0x1af4",
                                "0x0001", null, null, "0000:00:06.0", "virtio_net", null),
                        new NetworkInterface("eth1", "52:54:00:12:00:02", null, "fec0::5054:ff:fe12:2", true, "0x1af4",
                                "0x0001", null, 1000, "0000:00:07.0", "virtio_net", null)),
                new SystemVendor("PXE-Test-VM-UEFI", "LAB-SERIAL-02", "Metalboot-Lab",
                        new SystemFirmware("EFI Development Kit II / OVMF", "0.0.0", "02/06/2015")),
                new Boot(Boot.UEFI, "52:54:00:12:00:02"),
                "lab-uefi", GIVEN_UUID_UEFI, new Baseboard("Metalboot-Lab", "Lab-Board-UEFI", "LAB-BOARD-02"));
        assertEquals(expected, collect(Fixtures.UEFI, "01-52-54-00-12-00-02"));
    }

    @Test
    void thePxeInterfaceIsTheOneWhoseMacIsBootif() {
        assertEquals("eth1", collect(Fixtures.BIOS, "01-52-54-00-12-00-02").pxeInterface().name());
        assertEquals("eth0", collect(Fixtures.UEFI, "52:54:00:12:00:01").pxeInterface().name());
        // The captured kernel command lines carry BOOTIF too.
        MacAddress fromCmdline = BootIf.fromCommandLine(new String(Fixtures.bytes(Fixtures.BIOS, "proc/cmdline"),
                java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("52:54:00:12:00:01", fromCmdline.toString());
    }

    @Test
    void noBootifOrOneOfNoInterfaceGivesNoPxeInterface() {
        assertNull(collect(Fixtures.BIOS, null).boot().pxeInterface());
        assertNull(collect(Fixtures.BIOS, "01-52-54-00-99-99-99").boot().pxeInterface());
        assertEquals(Boot.BIOS, collect(Fixtures.BIOS, null).boot().currentBootMode());
    }

    @Test
    void physicalMemoryIsWhatQemuWasGivenAndTheKernelManagesLess() {
        for (String fixture : List.of(Fixtures.BIOS, Fixtures.UEFI)) {
            Memory memory = collect(fixture, null).memory();
            assertEquals(2048L, memory.physicalMb());
            assertTrue(memory.total() < 2048 * (1L << 20) && memory.total() > 1900 * (1L << 20), memory.toString());
        }
    }

    @Test
    void ipv4AddressesComeFromTheHostFacts() {
        Inventory inventory = new InventoryCollector(Fixtures.root(Fixtures.BIOS),
                HostFacts.fixed(Map.of("eth0", "192.0.2.10"), null)).collect(null);
        assertEquals("192.0.2.10", inventory.interfaces().get(0).ipv4Address());
        assertNull(inventory.interfaces().get(1).ipv4Address());
    }
}
