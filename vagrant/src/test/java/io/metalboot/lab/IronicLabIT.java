package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One QEMU machine (UEFI) PXE-boots metalboot's agent ramdisk from the appliance with Ironic's
 * kernel parameters, and a real Ironic (Debian's 21.4.4 with ironic-inspector 11.1.0,
 * {@link IronicService}) takes it through everything in one boot: {@code baremetal node inspect}
 * (the agent posts its inventory to the inspector; the node's cpus, memory_mb, local_gb and
 * cpu_arch are then what QEMU was given), {@code provide} (automated cleaning: the metadata erase),
 * {@code deploy} to {@code active} (the agent writes the lab's UEFI test disk, checks its
 * removable-media loader for install_bootloader, and powers the machine off). The test then marks
 * the machine provisioned through metalboot's operator API — what Ironic's own PXE boot interface
 * would do by switching it to local boot — powers it on, and the firmware boots the written disk.
 */
class IronicLabIT {
    private static final Duration BUDGET = Duration.ofMinutes(8);
    private static final Duration STATE = Duration.ofMinutes(4);
    /** QemuMachine gives no {@code -smp}: QEMU's default, one vCPU. */
    private static final int QEMU_CPUS = 1;
    private static final long DISK_BYTES = 8L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void ironicInspectsCleansAndDeploysALabMachineWhichThenBootsItsDisk() throws Exception {
        LabRequirements.assumeIronicCanRun();
        LabRequirements.assumeAgentLabCanRun();
        long started = System.nanoTime();
        try (var lab = LabScenario.start("ironic-lab", false)) {
            String appliance = LabNetwork.PROVISIONING.applianceAddress();
            var image = new DeployImage("uefi-disk", LabScenario.media().uefiDisk(), "raw",
                    DeployImage.sha256(LabScenario.media().uefiDisk()), LabScenario.media().uefiDisk());
            MachineSpec spec = MachineSpec.of("uefi-ironic", Firmware.UEFI_OWN_PXE, 0x41).withAgentHardware()
                    .withBlankDisks(DISK_BYTES);
            try (var ironic = IronicService.start(lab.network().appliance(),
                    IronicService.Settings.of(appliance, lab.network().workDir().resolve("ironic")))) {
                // the agent ramdisk as the .deb ships it, with Ironic's parameters; metalboot's own are added after them
                var config = lab.config(DhcpMode.OFFER).withCatalog(List.of(image)).withAgentArgs(ApplianceConfig.LAB_AGENT_ARGS
                        + " ipa-api-url=" + ironic.apiUrl() + " ipa-inspection-callback-url=" + ironic.inspectionCallbackUrl()
                        + " ipa-inspection-collectors=default,extra-hardware ipa-lookup-interval=2 ipa-lookup-timeout=900"
                        + " ipa-heartbeat-timeout=6");
                BootMedia.installAgentRamdisk(LabRequirements.appliance(), config.assets());
                lab.startAppliance(config);
                var api = ironic.api();
                String uuid = api.createNode(Map.of("name", "uefi-ironic", "driver", "fake-hardware",
                        "properties", Map.of("vendor", "lenovo")));
                api.createPort(uuid, spec.mac());
                ironic.baremetal("node", "manage", uuid, "--wait", "60");
                ironic.baremetal("node", "inspect", uuid);
                var vm = lab.boot(LabNetwork.PROVISIONING, spec);
                var deadline = Deadline.in(BUDGET);

                JsonNode inspected = api.waitForProvisionState(uuid, "manageable", STATE);
                LabScenario.printBootTime(vm, "inspected by ironic-inspector");
                ironic.awaitIntrospection(uuid, "finished", Duration.ofSeconds(30));
                JsonNode inventory = api.get("/v1/nodes/" + uuid + "/inventory").path("inventory");
                assertTrue(inventory.path("interfaces").findValuesAsText("mac_address").contains(spec.mac()), inventory::toString);
                assertEquals("lenovo", inspected.at("/properties/vendor").asText(), "the inspector keeps what was set");
                JsonNode properties = inspected.get("properties");
                assertEquals(QEMU_CPUS, properties.path("cpus").asInt(-1), properties.toString());
                assertEquals(spec.memoryMiB(), properties.path("memory_mb").asInt(-1), properties.toString());
                assertEquals(DISK_BYTES / (1L << 30) - 1, properties.path("local_gb").asLong(-1),
                        "the root disk's GiB less the inspector's 1 GiB of partitioning spacing: " + properties);
                assertEquals("x86_64", properties.path("cpu_arch").asText(), properties.toString());
                assertTrue(vm.serial().awaitText("ignoring the inspection collector extra-hardware", Duration.ZERO),
                        "an unknown collector is named on the console");

                ironic.baremetal("node", "provide", uuid);
                api.waitForProvisionState(uuid, "available", STATE);
                var signed = lab.api().post("/api/v1/images/" + image.name() + "/signed-url",
                        "{\"machine\":\"" + spec.mac() + "\",\"lifetimeSeconds\":3600}");
                assertEquals(200, signed.status(), signed.body());
                api.patchNode(uuid, List.of(
                        Map.of("op", "add", "path", "/instance_info/image_source",
                                "value", JSON.readTree(signed.body()).get("url").asText()),
                        Map.of("op", "add", "path", "/instance_info/image_os_hash_algo", "value", "sha256"),
                        Map.of("op", "add", "path", "/instance_info/image_os_hash_value", "value", image.sha256()),
                        Map.of("op", "add", "path", "/instance_info/image_disk_format", "value", "raw")));
                api.setProvisionState(uuid, "active");
                api.waitForProvisionState(uuid, "active", STATE);
                LabScenario.printBootTime(vm, "active in Ironic");
                if (!vm.awaitPowerOff(deadline.remaining())) {
                    throw lab.failure(vm + " did not power off after Ironic's standby.power_off");
                }
                vm.close();

                var adopted = lab.api().setState(spec.mac(), "provisioned", "deployed by Ironic");
                assertEquals(200, adopted.status(), adopted.body());
                var second = lab.boot(LabNetwork.PROVISIONING, spec);
                String marker = BootMedia.DISK_MARKER + " uefi";
                if (!second.serial().awaitText(marker, deadline.remaining())) {
                    throw lab.failure(second + " did not boot the disk Ironic deployed (no \"" + marker + "\")");
                }
                LabScenario.printBootTime(second, "the deployed disk's marker");
            }
        } finally {
            System.out.printf("IronicLabIT: %.1f s%n", (System.nanoTime() - started) / 1e9);
        }
    }
}
