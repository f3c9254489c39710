package io.metalboot.machine.inventory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InventoryRecordsTest {
    /**
     * IPA's field names, as ironic_python_agent/hardware.py lists them in each class's
     * serializable_fields (and list_hardware_info's keys for the inventory), less the ones these
     * records leave out on purpose (package-info says which).
     */
    @Test
    void componentNamesInSnakeCaseAreIpasFieldNames() {
        assertEquals(Set.of("model_name", "frequency", "count", "architecture", "flags", "socket_count"),
                snakeCaseComponents(Cpu.class));
        assertEquals(Set.of("total", "physical_mb"), snakeCaseComponents(Memory.class));
        Set<String> ipaDisk = new LinkedHashSet<>(List.of("name", "model", "size", "rotational", "wwn", "serial",
                "vendor", "wwn_with_extension", "wwn_vendor_extension", "hctl", "by_path", "logical_sectors",
                "physical_sectors", "tran"));
        ipaDisk.add("removable"); // ours, for the target-disk choice; the agent's JSON leaves it out
        assertEquals(ipaDisk, snakeCaseComponents(Disk.class));
        Set<String> ipaInterface = new LinkedHashSet<>(List.of("name", "mac_address", "ipv4_address", "ipv6_address",
                "has_carrier", "lldp", "vendor", "product", "client_id", "biosdevname", "speed_mbps", "pci_address",
                "driver"));
        ipaInterface.add("lldp_neighbour"); // ours
        assertEquals(ipaInterface, snakeCaseComponents(NetworkInterface.class));
        assertEquals(Set.of("vendor", "version", "build_date"), snakeCaseComponents(SystemFirmware.class));
        assertEquals(Set.of("product_name", "serial_number", "manufacturer", "firmware"),
                snakeCaseComponents(SystemVendor.class));
        assertEquals(Set.of("current_boot_mode", "pxe_interface"), snakeCaseComponents(Boot.class));
        Set<String> ipaInventory = new LinkedHashSet<>(List.of("interfaces", "cpu", "disks", "memory", "bmc_address",
                "bmc_v6address", "system_vendor", "boot", "hostname"));
        ipaInventory.addAll(List.of("smbios_uuid", "baseboard")); // ours
        ipaInventory.add("bmc_mac"); // IPA adds it after the others when it has one
        assertEquals(ipaInventory, snakeCaseComponents(Inventory.class));
    }

    /** What Jackson's SNAKE_CASE naming strategy does: an underscore before each upper-case letter. */
    private static Set<String> snakeCaseComponents(Class<? extends Record> type) {
        Set<String> names = new LinkedHashSet<>();
        for (RecordComponent component : type.getRecordComponents()) {
            names.add(component.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT));
        }
        return names;
    }

    @Test
    void listsAreCopiedAndCannotBeChanged() {
        List<String> flags = new ArrayList<>(List.of("fpu", "sse2"));
        Cpu cpu = new Cpu("QEMU Virtual CPU", "2000.000", 2, "x86_64", flags, 1);
        flags.add("avx512f");
        assertEquals(List.of("fpu", "sse2"), cpu.flags());
        assertThrows(UnsupportedOperationException.class, () -> cpu.flags().add("avx"));

        List<Disk> disks = new ArrayList<>(List.of(disk("/dev/vda")));
        Inventory inventory = inventory(disks, List.of(), null);
        disks.add(disk("/dev/vdb"));
        assertEquals(1, inventory.disks().size());
        assertThrows(UnsupportedOperationException.class, () -> inventory.interfaces().add(nic("eth0", "52:54:00:12:00:01", 1000)));
    }

    @Test
    void absentListsAreEmptyAndAbsentFieldsNull() {
        Cpu cpu = new Cpu(null, null, 0, null, null, null);
        assertEquals(List.of(), cpu.flags());
        assertNull(cpu.socketCount());
        Inventory inventory = new Inventory(cpu, new Memory(0, null), null, null,
                new SystemVendor(null, null, null, SystemFirmware.UNKNOWN), new Boot(Boot.BIOS, null), null, null,
                Baseboard.UNKNOWN);
        assertEquals(List.of(), inventory.disks());
        assertEquals(List.of(), inventory.interfaces());
        assertNull(inventory.pxeInterface());
    }

    @Test
    void macAddressesAndTheUuidAreHeldInTheirOnePrintedForm() {
        NetworkInterface nic = nic("eth0", "52-54-00-AB-CD-EF", null);
        assertEquals("52:54:00:ab:cd:ef", nic.macAddress());
        assertEquals("52:54:00:ab:cd:ef", nic.mac().toString());
        assertEquals("52:54:00:ab:cd:ef", new Boot(Boot.UEFI, "525400ABCDEF").pxeInterface());
        Inventory inventory = inventory(List.of(), List.of(nic), "11223344-5566-7788-99AA-BBCCDDEEFF10");
        assertEquals("11223344-5566-7788-99aa-bbccddeeff10", inventory.smbiosUuid());
        assertThrows(IllegalArgumentException.class, () -> nic("eth0", "52:54:00:ab:cd", null));
        assertThrows(IllegalArgumentException.class, () -> inventory(List.of(), List.of(), "not-a-uuid"));
    }

    @Test
    void theInterfaceBootedFromIsFoundByItsMac() {
        NetworkInterface first = nic("eth0", "52:54:00:12:00:01", 1000);
        NetworkInterface second = nic("eth1", "52:54:00:12:00:02", null);
        Inventory inventory = new Inventory(new Cpu(null, null, 1, "x86_64", List.of(), 1), new Memory(1, 1L),
                List.of(), List.of(first, second), new SystemVendor(null, null, null, SystemFirmware.UNKNOWN),
                new Boot(Boot.BIOS, "52-54-00-12-00-02"), "lab", null, Baseboard.UNKNOWN);
        assertSame(second, inventory.pxeInterface());
    }

    @Test
    void aSpeedIsNullWhenUnknownNeverZeroOrNegative() {
        assertNull(nic("eth0", "52:54:00:12:00:01", null).speedMbps());
        assertEquals(10000, nic("eth0", "52:54:00:12:00:01", 10000).speedMbps());
        for (int speed : new int[] {0, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> nic("eth0", "52:54:00:12:00:01", speed));
            assertEquals("interface eth0: speed_mbps is null when the link is down or its speed unknown, not " + speed,
                    e.getMessage());
        }
    }

    @Test
    void theBootModeIsUefiOrBiosInLowerCase() {
        assertEquals("uefi", new Boot("uefi", null).currentBootMode());
        for (String mode : Arrays.asList("UEFI", "legacy", "")) {
            assertThrows(IllegalArgumentException.class, () -> new Boot(mode, null));
        }
        assertThrows(NullPointerException.class, () -> new Boot(null, null));
    }

    @Test
    void requiredFieldsAndRangesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> disk("vda"));
        assertThrows(NullPointerException.class, () -> disk(null));
        assertThrows(IllegalArgumentException.class, () -> new Disk("/dev/vda", null, -1, false, null, null, null,
                null, null, null, null, 512, 512, null, false));
        assertThrows(IllegalArgumentException.class, () -> new Disk("/dev/vda", null, 1, false, null, null, null,
                null, null, null, null, 0, 512, null, false));
        assertThrows(IllegalArgumentException.class, () -> new Cpu(null, null, -1, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Memory(-1, null));
        assertThrows(IllegalArgumentException.class, () -> new Memory(1, -1L));
        assertThrows(NullPointerException.class, () -> new SystemVendor(null, null, null, null));
        assertThrows(NullPointerException.class, () -> new NetworkInterface("eth0", null, null, null, false, null,
                null, null, null, null, null, null));
    }

    private static Disk disk(String name) {
        return new Disk(name, null, 4L << 30, true, null, null, null, "DISK-A-0001", "0x1af4", null, null, 512, 512,
                "virtio", false);
    }

    private static NetworkInterface nic(String name, String mac, Integer speed) {
        return new NetworkInterface(name, mac, null, null, speed != null, "0x1af4", "0x0001", null, speed,
                "0000:00:03.0", "virtio_net", null);
    }

    private static Inventory inventory(List<Disk> disks, List<NetworkInterface> interfaces, String uuid) {
        return new Inventory(new Cpu("QEMU", null, 2, "x86_64", List.of(), 2), new Memory(2L << 30, 2048L), disks,
                interfaces, new SystemVendor("PXE-Test-VM", "LAB-SERIAL-01", "Metalboot-Lab", SystemFirmware.UNKNOWN),
                new Boot(Boot.BIOS, null), "lab-bios", uuid, Baseboard.UNKNOWN);
    }

    @Test
    void lldpIsNullWhenNotCollectedAndItsTlvsAreHex() {
        NetworkInterface eth0 = new NetworkInterface("eth0", "52:54:00:12:00:01", null, null, true, null, null, null,
                null, null, null, null);
        assertNull(eth0.lldp());
        assertEquals(List.of(), eth0.withLldp(List.of(), null).lldp());
        assertEquals(new LldpTlvHex(1, "04c0ffee000001"), new LldpTlvHex(1, "04C0FFEE000001"), "held in lowercase");
        assertArrayEquals(new byte[] {4, 1}, new LldpTlvHex(1, "0401").bytes());
        assertThrows(IllegalArgumentException.class, () -> new LldpTlvHex(128, ""));
        assertThrows(IllegalArgumentException.class, () -> new LldpTlvHex(1, "0"));
        assertThrows(IllegalArgumentException.class, () -> new LldpTlvHex(1, "zz"));
        assertThrows(IllegalArgumentException.class, () -> new LldpTlvHex(1, "00".repeat(512)));
    }
}
