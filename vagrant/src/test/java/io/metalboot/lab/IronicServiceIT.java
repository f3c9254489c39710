package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fixture itself: a real Ironic and ironic-inspector ({@link IronicService}) in a namespace of
 * their own, joined by a veth to a second namespace, the machine side (10.214.0.0/24, used nowhere
 * else). A fake-hardware node is enrolled with a port, managed, inspected — {@code baremetal node
 * inspect} as an operator would, the inspector waits, and the "ramdisk" (curl in the peer
 * namespace) posts its introspection data to the callback URL — and provided without cleaning;
 * the CLI's {@code node show} agrees with the REST client.
 */
class IronicServiceIT {
    private static final String IRONIC_ADDRESS = "10.214.0.1";
    private static final String MACHINE_ADDRESS = "10.214.0.2";
    private static final String MAC = "52:54:00:21:40:02";
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Namespace ironicSide;
    private static Namespace machineSide;

    @BeforeAll
    static void network() {
        LabRequirements.assumeIronicCanRun();
        String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        ironicSide = Namespace.create("mb-ironic-" + suffix);
        machineSide = Namespace.create("mb-irpeer-" + suffix);
        Command.run(List.of(Tool.IP.path(), "link", "add", "ir0", "netns", ironicSide.name(), "type", "veth",
                "peer", "name", "ir0", "netns", machineSide.name()));
        ironicSide.ip("addr", "add", IRONIC_ADDRESS + "/24", "dev", "ir0");
        machineSide.ip("addr", "add", MACHINE_ADDRESS + "/24", "dev", "ir0");
        ironicSide.ip("link", "set", "ir0", "up");
        machineSide.ip("link", "set", "ir0", "up");
    }

    @AfterAll
    static void deleteNetwork() {
        for (Namespace namespace : new Namespace[] {machineSide, ironicSide}) {
            if (namespace != null) {
                namespace.delete();
            }
        }
    }

    @Test
    void aFakeNodeIsEnrolledManagedInspectedAndProvided() throws Exception {
        long started = System.nanoTime();
        var settings = IronicService.Settings.of(IRONIC_ADDRESS, LabRequirements.workRoot().resolve("ironic-service"))
                .withAutomatedClean(false);
        try (var ironic = IronicService.start(ironicSide, settings)) {
            System.out.println("IronicServiceIT: dbsync and both services ready in " + ironic.startupTime().toMillis()
                    + " ms (schemas " + ironic.schemaTime().toMillis() + " ms)");
            var api = ironic.api();

            String uuid = api.createNode(Map.of(
                    "name", "fixture-node",
                    "driver", "fake-hardware",
                    "properties", Map.of("vendor", "lenovo", "cpu_arch", "x86_64"),
                    "driver_info", Map.of("deploy_forces_oob_reboot", true)));
            api.createPort(uuid, MAC);
            JsonNode enrolled = api.node(uuid);
            assertEquals("enroll", IronicApiClient.text(enrolled, "provision_state"));
            assertEquals("fake", IronicApiClient.text(enrolled, "boot_interface"));
            assertEquals("direct", IronicApiClient.text(enrolled, "deploy_interface"));
            assertEquals("inspector", IronicApiClient.text(enrolled, "inspect_interface"));

            api.setProvisionState(uuid, "manage");
            api.waitForProvisionState(uuid, "manageable", STEP);

            // Inspection as an operator starts it; the inspector takes the node and waits for the ramdisk.
            ironic.baremetal("node", "inspect", uuid);
            api.waitForProvisionState(uuid, "inspect wait", STEP);
            ironic.awaitIntrospection(uuid, "waiting", STEP);

            // What the agent will post, from the machine's side of the wire, to the URL the lab hands it.
            String data = JSON.writeValueAsString(Map.of(
                    "inventory", Map.of(
                            "interfaces", List.of(Map.of("name", "eth0", "mac_address", MAC,
                                    "ipv4_address", MACHINE_ADDRESS, "has_carrier", true)),
                            "cpu", Map.of("model_name", "QEMU", "count", 2, "architecture", "x86_64", "flags", List.of()),
                            "memory", Map.of("total", 2147483648L, "physical_mb", 2048),
                            "disks", List.of(Map.of("name", "/dev/vda", "size", 10737418240L, "rotational", false,
                                    "model", "", "serial", "fixture-disk", "vendor", "")),
                            "bmc_address", "0.0.0.0",
                            "system_vendor", Map.of("product_name", "Standard PC", "serial_number", "", "manufacturer", "QEMU"),
                            "boot", Map.of("current_boot_mode", "uefi", "pxe_interface", MAC)),
                    "boot_interface", MAC));
            assertEquals("http://" + IRONIC_ADDRESS + ":5050/v1/continue", ironic.inspectionCallbackUrl());
            var fromMachine = IronicApiClient.inNamespace(machineSide, ironic.inspectorUrl());
            var reply = fromMachine.call("POST", "/v1/continue", JSON.readTree(data));
            assertTrue(reply.body().contains(uuid), reply::body);
            ironic.awaitIntrospection(uuid, "finished", STEP);

            JsonNode inspected = api.waitForProvisionState(uuid, "manageable", STEP);
            assertEquals("2048", inspected.path("properties").path("memory_mb").asText(), inspected::toString);
            assertEquals("2", inspected.path("properties").path("cpus").asText(), inspected::toString);
            assertEquals("lenovo", inspected.path("properties").path("vendor").asText(), inspected::toString);
            JsonNode inventory = api.get("/v1/nodes/" + uuid + "/inventory");
            assertEquals(MAC, inventory.path("inventory").path("interfaces").path(0).path("mac_address").asText(),
                    inventory::toString);

            api.setProvisionState(uuid, "provide");
            JsonNode available = api.waitForProvisionState(uuid, "available", STEP);

            JsonNode shown = JSON.readTree(ironic.baremetal("node", "show", uuid, "-f", "json"));
            for (String field : List.of("uuid", "name", "provision_state", "driver", "power_state", "deploy_interface")) {
                assertEquals(IronicApiClient.text(available, field), IronicApiClient.text(shown, field),
                        "the CLI's " + field);
            }
            assertEquals(available.path("properties"), shown.path("properties"));
            assertEquals(available.path("driver_info"), shown.path("driver_info"));

            // A wait that runs out says where the node is.
            var failure = assertThrows(LabException.class,
                    () -> api.waitForProvisionState(uuid, "active", Duration.ofSeconds(1)));
            assertTrue(failure.getMessage().contains("provision_state 'available'"), failure::getMessage);
        } finally {
            System.out.println("IronicServiceIT: " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms in all");
        }
    }
}
