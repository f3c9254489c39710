package io.metalboot.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metalboot.machine.inventory.Cpu;
import io.metalboot.machine.inventory.Disk;
import io.metalboot.machine.inventory.Inventory;
import io.metalboot.machine.inventory.NetworkInterface;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The collector against the tools IPA takes the same facts from, run in the same VM when the
 * fixture was captured: lsblk (IPA's own call), udev's properties (IPA's pyudev look-ups), lscpu,
 * ip. Where the collector reads sysfs itself, it must say what they said.
 */
class ReferenceToolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.BIOS, Fixtures.UEFI})
    void disksAreWhatLsblkSays(String fixture) throws IOException {
        List<Disk> disks = InventoryCollectorFixtureTest.collect(fixture, null).disks();
        JsonNode lsblk = JSON.readTree(Fixtures.referenceText(fixture, "lsblk.json")).get("blockdevices");
        List<String> lsblkDisks = new ArrayList<>();
        for (JsonNode device : lsblk) {
            if (!device.get("type").asText().equals("disk")) {
                continue;
            }
            lsblkDisks.add("/dev/" + device.get("kname").asText());
            Disk disk = disks.stream().filter(d -> d.name().equals("/dev/" + device.get("kname").asText()))
                    .findFirst().orElseThrow();
            assertEquals(text(device, "model"), disk.model(), disk.name() + " model");
            assertEquals(device.get("size").asLong(), disk.size(), disk.name() + " size");
            assertEquals(device.get("rota").asBoolean(), disk.rotational(), disk.name() + " rota");
            assertEquals(text(device, "serial"), disk.serial(), disk.name() + " serial");
            assertEquals(text(device, "wwn"), disk.wwn(), disk.name() + " wwn");
            assertEquals(device.get("log-sec").asInt(), disk.logicalSectors(), disk.name() + " log-sec");
            assertEquals(device.get("phy-sec").asInt(), disk.physicalSectors(), disk.name() + " phy-sec");
            assertEquals(text(device, "tran"), disk.tran(), disk.name() + " tran");
        }
        assertEquals(lsblkDisks, disks.stream().map(Disk::name).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.BIOS, Fixtures.UEFI})
    void wwnsAndByPathAreWhatUdevSays(String fixture) {
        for (Disk disk : InventoryCollectorFixtureTest.collect(fixture, null).disks()) {
            String kname = disk.name().substring("/dev/".length());
            Map<String, String> udev = properties(Fixtures.referenceText(fixture, "udev-" + kname + ".txt"));
            assertEquals(udev.get("ID_WWN_WITH_EXTENSION"), disk.wwnWithExtension(), kname);
            assertEquals(udev.get("ID_WWN_VENDOR_EXTENSION"), disk.wwnVendorExtension(), kname);
            assertEquals("/dev/disk/by-path/" + udev.get("ID_PATH"), disk.byPath(), kname);
            assertTrue(List.of(udev.get("DEVLINKS").split(" ")).contains(disk.byPath()), kname);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.BIOS, Fixtures.UEFI})
    void theCpuIsWhatLscpuSays(String fixture) {
        Cpu cpu = InventoryCollectorFixtureTest.collect(fixture, null).cpu();
        Map<String, String> lscpu = new HashMap<>();
        for (String line : Fixtures.referenceText(fixture, "lscpu.txt").split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                lscpu.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        assertEquals(lscpu.get("Model name"), cpu.modelName());
        assertEquals(Integer.parseInt(lscpu.get("CPU(s)")), cpu.count());
        assertEquals(Integer.parseInt(lscpu.get("Socket(s)")), cpu.socketCount());
        assertEquals(lscpu.get("Architecture"), cpu.architecture());
        assertEquals(List.of(lscpu.get("Flags").split(" ")), cpu.flags());
        assertEquals(Fixtures.referenceText(fixture, "uname-m.txt").strip(), cpu.architecture());
    }

    /** ip -o link: the same interfaces, MACs, and links up where ip says LOWER_UP; ip -o addr: IPv6. */
    @ParameterizedTest
    @ValueSource(strings = {Fixtures.BIOS, Fixtures.UEFI})
    void interfacesAreWhatIpSays(String fixture) {
        Inventory inventory = InventoryCollectorFixtureTest.collect(fixture, null);
        List<String> seen = new ArrayList<>();
        for (String line : Fixtures.referenceText(fixture, "ip-link.txt").split("\n")) {
            String name = line.split(":")[1].strip();
            if (name.equals("lo")) {
                continue;
            }
            seen.add(name);
            NetworkInterface nic = inventory.interfaces().stream().filter(i -> i.name().equals(name)).findFirst()
                    .orElseThrow();
            assertTrue(line.contains("link/ether " + nic.macAddress() + " "), line);
            assertEquals(line.contains("LOWER_UP"), nic.hasCarrier(), line);
        }
        assertEquals(seen, inventory.interfaces().stream().map(NetworkInterface::name).toList());
        String addresses = Fixtures.referenceText(fixture, "ip-addr.txt");
        for (NetworkInterface nic : inventory.interfaces()) {
            if (nic.ipv6Address() != null) {
                assertTrue(addresses.contains(nic.name() + "    inet6 " + nic.ipv6Address() + "/64"), nic.name());
            }
        }
    }

    private static String text(JsonNode device, String field) {
        JsonNode value = device.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Map<String, String> properties(String text) {
        Map<String, String> properties = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                properties.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return properties;
    }
}
