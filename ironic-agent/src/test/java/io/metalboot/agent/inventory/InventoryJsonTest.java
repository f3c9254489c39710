package io.metalboot.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.machine.inventory.Inventory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The inventory as JSON the way the agent API's codec will write it — Jackson, records as they are,
 * a snake_case naming strategy — has IPA's keys and value types, and reads back to the same records.
 */
class InventoryJsonTest {
    private static final ObjectMapper SNAKE = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

    @Test
    void theKeysAreIpasAndTheTwoOfOurs() throws Exception {
        Inventory inventory = InventoryCollectorFixtureTest.collect(Fixtures.BIOS, "01-52-54-00-12-00-01");
        JsonNode json = SNAKE.readTree(InventoryJson.write(inventory));
        assertEquals(Set.of("cpu", "memory", "disks", "interfaces", "system_vendor", "boot", "hostname",
                "bmc_address", "bmc_v6address", "bmc_mac", "smbios_uuid", "baseboard"), keys(json));
        assertEquals(Set.of("model_name", "frequency", "count", "architecture", "flags", "socket_count"),
                keys(json.get("cpu")));
        assertEquals(Set.of("total", "physical_mb"), keys(json.get("memory")));
        assertEquals(Set.of("name", "model", "size", "rotational", "wwn", "serial", "vendor", "wwn_with_extension",
                "wwn_vendor_extension", "hctl", "by_path", "logical_sectors", "physical_sectors", "tran"),
                keys(json.get("disks").get(0)));
        assertEquals(Set.of("name", "mac_address", "ipv4_address", "ipv6_address", "has_carrier", "vendor", "product",
                "client_id", "biosdevname", "speed_mbps", "pci_address", "driver", "lldp", "lldp_neighbour"),
                keys(json.get("interfaces").get(0)));
        assertEquals(Set.of("product_name", "serial_number", "manufacturer", "firmware"),
                keys(json.get("system_vendor")));
        assertEquals(Set.of("vendor", "version", "build_date"), keys(json.get("system_vendor").get("firmware")));
        assertEquals(Set.of("current_boot_mode", "pxe_interface"), keys(json.get("boot")));
        assertEquals(Set.of("manufacturer", "product", "serial"), keys(json.get("baseboard")));
    }

    @Test
    void theBmcFieldsAreTextOrNullWithoutABmcAndReadBack() throws Exception {
        Inventory none = InventoryCollectorFixtureTest.collect(Fixtures.BIOS, "01-52-54-00-12-00-01");
        JsonNode json = SNAKE.readTree(InventoryJson.write(none));
        assertTrue(json.get("bmc_address").isNull());
        assertTrue(json.get("bmc_v6address").isNull());
        assertTrue(json.get("bmc_mac").isNull());

        InventoryCollector withBmc = new InventoryCollector(Fixtures.root(Fixtures.BIOS), HostFacts.fixed(java.util.Map.of(), null),
                () -> new BmcAddresses("192.0.2.77", "2001:db8::77", "52:54:00:BE:EF:01"));
        Inventory inventory = withBmc.collect(null);
        json = SNAKE.readTree(InventoryJson.write(inventory));
        assertEquals("192.0.2.77", json.get("bmc_address").asText());
        assertEquals("2001:db8::77", json.get("bmc_v6address").asText());
        assertEquals("52:54:00:be:ef:01", json.get("bmc_mac").asText());
        assertEquals(inventory, InventoryJson.read(InventoryJson.write(inventory)));
    }

    @Test
    void theValuesHaveIpasTypes() throws Exception {
        Inventory inventory = InventoryCollectorFixtureTest.collect(Fixtures.BIOS, "01-52-54-00-12-00-01");
        JsonNode json = SNAKE.readTree(InventoryJson.write(inventory));
        assertTrue(json.at("/cpu/frequency").isTextual(), "IPA sends lscpu's MHz as text");
        assertTrue(json.at("/cpu/count").isInt());
        assertTrue(json.at("/cpu/flags").isArray());
        assertEquals(2048, json.at("/memory/physical_mb").asInt());
        assertEquals(2062467072L, json.at("/memory/total").asLong());
        JsonNode sda = json.at("/disks/0");
        assertEquals("/dev/sda", sda.get("name").asText());
        assertEquals(2147483648L, sda.get("size").asLong());
        assertTrue(sda.get("rotational").isBoolean());
        assertEquals(512, sda.get("logical_sectors").asInt());
        assertTrue(json.at("/disks/1/model").isNull(), "absent is null, as in IPA's JSON");
        assertEquals(10000, json.at("/interfaces/0/speed_mbps").asInt());
        assertTrue(json.at("/interfaces/1/speed_mbps").isNull(), "a link that is down has no speed, not 0");
        assertTrue(json.at("/interfaces/1/has_carrier").isBoolean());
        assertEquals("bios", json.at("/boot/current_boot_mode").asText());
        assertEquals("52:54:00:12:00:01", json.at("/boot/pxe_interface").asText());
        assertEquals("11223344-5566-7788-99aa-bbccddeeff10", json.get("smbios_uuid").asText());
    }

    @Test
    void itReadsBackToTheSameRecords() throws Exception {
        for (String fixture : List.of(Fixtures.BIOS, Fixtures.UEFI)) {
            Inventory inventory = InventoryCollectorFixtureTest.collect(fixture, "01-52-54-00-12-00-02");
            assertEquals(inventory, SNAKE.readValue(InventoryJson.write(inventory), Inventory.class));
        }
    }

    private static Set<String> keys(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return new TreeSet<>(names);
    }
}
