package io.metalboot.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.agent.inventory.lldp.LldpListener;
import io.metalboot.agent.inventory.lldp.LldpTlv;
import io.metalboot.machine.inventory.Inventory;
import io.metalboot.machine.inventory.LldpNeighbour;
import io.metalboot.machine.inventory.LldpTlvHex;
import io.metalboot.machine.inventory.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * LLDP in the inventory, with a fake listener on the SeaBIOS capture (eth0 has carrier, eth1 not):
 * who is listened on, IPA's {@code lldp} pairs and our {@code lldp_neighbour}, null when off.
 */
class InventoryLldpTest {
    private static final List<LldpTlv> SWITCH = List.of(tlv(1, "04c0ffee000001"), tlv(2, "05" + hex("swp7")),
            tlv(3, "0078"), new LldpTlv(5, "lab-switch".getBytes(StandardCharsets.UTF_8)), tlv(127, "0080c2010064"),
            tlv(0, ""));

    /** Answers with the switch on every interface it is asked about, and remembers what that was. */
    private static final class FakeListener implements LldpListener {
        final List<List<String>> asked = new ArrayList<>();

        @Override
        public Map<String, List<LldpTlv>> listen(java.util.Collection<String> names) {
            asked.add(List.copyOf(names));
            return Map.of("eth0", SWITCH);
        }
    }

    private static Inventory collect(LldpListener lldp) {
        return new InventoryCollector(Fixtures.root(Fixtures.BIOS), HostFacts.fixed(Map.of(), null), lldp).collect(null);
    }

    @Test
    void onlyInterfacesWithCarrierAreListenedOnTheOthersHaveNothing() {
        FakeListener fake = new FakeListener();
        List<NetworkInterface> interfaces = collect(fake).interfaces();
        assertEquals(List.of(List.of("eth0")), fake.asked);
        NetworkInterface eth0 = interfaces.get(0);
        assertEquals(List.of(new LldpTlvHex(1, "04c0ffee000001"), new LldpTlvHex(2, "05" + hex("swp7")),
                new LldpTlvHex(3, "0078"), new LldpTlvHex(5, hex("lab-switch")), new LldpTlvHex(127, "0080c2010064"),
                new LldpTlvHex(0, "")), eth0.lldp());
        assertEquals(new LldpNeighbour("c0:ff:ee:00:00:01", 4, "swp7", 5, null, "lab-switch", 100),
                eth0.lldpNeighbour());
        assertEquals(List.of(), interfaces.get(1).lldp(), "down: listened for, as IPA says, nothing came");
        assertNull(interfaces.get(1).lldpNeighbour());
    }

    @Test
    void withoutAListenerLldpIsNotCollected() {
        NetworkInterface eth0 = collect(null).interfaces().get(0);
        assertNull(eth0.lldp());
        assertNull(eth0.lldpNeighbour());
    }

    @Test
    void aFailingListenerCostsOnlyTheLldpFields() {
        Inventory inventory = collect(names -> {
            throw new UnsatisfiedLinkError("no libjffi");
        });
        assertEquals(2, inventory.interfaces().size());
        assertNull(inventory.interfaces().get(0).lldp());
    }

    @Test
    void theJsonIsIpasPairsAndOurKeyAndReadsBack() throws Exception {
        Inventory inventory = collect(new FakeListener());
        String json = InventoryJson.write(inventory);
        JsonNode eth0 = JsonMapper.builder().build().readTree(json).at("/interfaces/0");
        assertEquals(JsonMapper.builder().build().readTree("[[1,\"04c0ffee000001\"],[2,\"0573777037\"],[3,\"0078\"],"
                + "[5,\"6c61622d737769746368\"],[127,\"0080c2010064\"],[0,\"\"]]"), eth0.get("lldp"));
        assertEquals(JsonMapper.builder().build().readTree("{\"chassis_id\":\"c0:ff:ee:00:00:01\",\"chassis_id_subtype\":4,"
                + "\"port_id\":\"swp7\",\"port_id_subtype\":5,\"port_description\":null,\"system_name\":\"lab-switch\","
                + "\"vlan_id\":100}"), eth0.get("lldp_neighbour"));
        assertTrue(JsonMapper.builder().build().readTree(InventoryJson.write(collect(null)))
                .at("/interfaces/0/lldp").isNull(), "not collected: null, as IPA without ipa-collect-lldp");
        assertEquals(inventory, InventoryJson.read(json));
    }

    private static LldpTlv tlv(int type, String hex) {
        return new LldpTlv(type, HexFormat.of().parseHex(hex));
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8));
    }
}
