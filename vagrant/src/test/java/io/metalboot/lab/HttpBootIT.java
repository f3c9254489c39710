package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The boot flow to the real agent and back to the disk, on both firmwares at once: a BIOS machine
 * (QEMU's iPXE ROM) and a UEFI machine (OVMF's own PXE, then snponly.efi over the appliance's
 * TFTP), each with 2 GiB, two disks of different sizes with serial numbers, a second NIC and an
 * SMBIOS serial and UUID.
 * <ol>
 *   <li>First power-on: recorded {@code discovered} (MAC, UUID from iPXE's {@code ${uuid}}, serial),
 *       the per-machine script boots the agent ramdisk packaging built, the agent registers with
 *       its boot token and is inspected: the machine is {@code available}, and its inventory is
 *       exactly what QEMU was given (disk serials and sizes, both MACs, UUID in the byte order of
 *       option 97 and {@code ${uuid}}, {@code physical_mb} equal to {@code -m}, boot mode,
 *       {@code pxe_interface} the booting NIC), and what its real peers say: the boot NIC's
 *       negotiated 10000 Mb/s ({@code virtio-net-pci,speed=}; null for the unplugged one), the
 *       LLDP chassis id, port id and system name of the switch (Debian's lldpd on br0,
 *       {@link LldpSwitch}), and the BMC's LAN address and MAC (openipmi's ipmi_sim behind QEMU's
 *       {@code ipmi-bmc-extern}, {@link IpmiSimBmc}).</li>
 *   <li>Wrong credentials from the provisioning network get 401 and change nothing; the operator
 *       API is not there at all (404).</li>
 *   <li>The operator asks the agent to power the machine off, then marks it {@code provisioned}.</li>
 *   <li>Second power-on (same disks, same UEFI variables): it boots its disk and never the agent.</li>
 *   <li>Neither boot token nor session credential, both read off the wire, is in any log of the
 *       scenario: the appliance's, the serial consoles', QEMU's, dnsmasq's.</li>
 * </ol>
 */
class HttpBootIT {
    /** Two boots each under TCG, two VMs on two cores: PXE, a 30 MiB ramdisk over HTTP, the agent. */
    private static final Duration BUDGET = Duration.ofSeconds(420);
    private static final Pattern TOKEN_ON_THE_WIRE = Pattern.compile("metalboot\\.token=([A-Za-z0-9_-]{16,})");
    private static final Pattern CREDENTIAL_ON_THE_WIRE = Pattern.compile("\"credential\"\\s*:\\s*\"([^\"]{16,})\"");
    private static final String WIRE_LOG = "appliance-http";
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeAgentLabCanRun();
    }

    @Test
    void discoveredMachinesAreInspectedByTheAgentAndOnceProvisionedBootTheirOwnDisks() throws IOException {
        var media = LabScenario.media();
        try (var lab = LabScenario.start("http-boot", false)) {
            var config = lab.config(DhcpMode.OFFER);
            BootMedia.installAgentRamdisk(LabRequirements.applianceDir(), config.assets());
            var wire = lab.watch(lab.network().appliance(), LabNetwork.PROVISIONING.applianceInterface(),
                    "tcp port " + ApplianceConfig.HTTP_PORT, WIRE_LOG);
            lab.startAppliance(config);
            var lldpSwitch = LldpSwitch.start(lab.network());
            var api = lab.api();
            var bios = lab.bootWithBmc(LabNetwork.PROVISIONING,
                    MachineSpec.of("bios", Firmware.BIOS_IPXE_ROM, 0x21).withDisk(media.biosDisk()).withAgentHardware(1536));
            var uefi = lab.bootWithBmc(LabNetwork.PROVISIONING,
                    MachineSpec.of("uefi", Firmware.UEFI_OWN_PXE, 0x22).withDisk(media.uefiDisk()).withAgentHardware(2560));
            var deadline = Deadline.in(BUDGET);

            for (QemuMachine vm : List.of(bios, uefi)) {
                MachineSpec spec = vm.spec();
                assertTrue(vm.serial().awaitText("metalboot-agent: registered with ", deadline.remaining()),
                        () -> lab.failure(vm + " never registered with the appliance").getMessage());
                LabScenario.printBootTime(vm, "agent registered");
                var machine = awaitState(lab, api, spec.mac(), "available", deadline);
                assertEquals(spec.mac(), machine.field("mac").orElse(null), "registry mac: " + machine.body());
                assertEquals(spec.uuid().toString(), machine.field("uuid").map(uuid -> uuid.toLowerCase(Locale.ROOT)).orElse(null),
                        () -> vm + ": registry UUID (from iPXE's ${uuid}) differs from QEMU's " + spec.uuid() + ": " + machine.body());
                assertEquals(spec.serial(), machine.field("serial").orElse(null), "registry serial: " + machine.body());

                var reply = api.inventory(spec.mac());
                assertEquals(200, reply.status(), () -> lab.failure(vm + ": GET inventory: " + reply).getMessage());
                JsonNode inventory = json.readTree(reply.body());
                assertInventoryIsWhatQemuWasGiven(vm, inventory, lldpSwitch);
                IpmiSimBmc bmc = lab.bmc(spec);
                assertEquals(bmc.address(), inventory.path("bmc_address").asText(null), "bmc_address: " + inventory);
                assertEquals(bmc.mac(), inventory.path("bmc_mac").asText(null), "bmc_mac: " + inventory);

                // What any host on the provisioning network gets: not the operator API ...
                var intruder = lab.apiFromTheProvisioningNetwork(ApplianceConfig.HTTP_PORT)
                        .setState(spec.mac(), "provisioned", "not an operator");
                assertEquals(404, intruder.status(), vm + ": the API on the provisioning listener: " + intruder);
                // ... and no agent session without this boot's token or credential.
                var agentApi = lab.apiFromTheProvisioningNetwork(ApplianceConfig.HTTP_PORT);
                var forgedToken = agentApi.post("/agent/v1/register",
                        "{\"mac\":\"" + spec.mac() + "\",\"bootToken\":\"not-the-token-of-this-boot-0123456789\"}");
                assertEquals(401, forgedToken.status(), vm + ": register with a forged token: " + forgedToken);
                var forgedCredential = agentApi.postWithBearer("/agent/v1/heartbeat", "{\"report\":null}",
                        "not-a-credential-of-any-session-0123456789");
                assertEquals(401, forgedCredential.status(), vm + ": heartbeat with a forged credential: " + forgedCredential);
                assertEquals("available", api.machine(spec.mac()).field("state").orElse(null),
                        vm + ": refused calls changed nothing");
            }

            for (QemuMachine vm : List.of(bios, uefi)) {
                var off = api.requestAction(vm.spec().mac(), "power-off");
                assertEquals(200, off.status(), () -> lab.failure(vm + ": POST action power-off: " + off).getMessage());
                if (!vm.awaitPowerOff(deadline.remaining())) {
                    throw lab.failure(vm + " did not power off when the operator asked its agent to");
                }
                var reply = api.setState(vm.spec().mac(), "provisioned", "lab");
                assertEquals(200, reply.status(), () -> lab.failure(vm + ": POST state provisioned: " + reply).getMessage());
                assertEquals("provisioned", reply.field("state").orElse(null), "state after POST: " + reply.body());
            }
            var history = api.get("/api/v1/machines/" + bios.spec().mac() + "/history");
            assertEquals(200, history.status(), "GET history: " + history);
            for (String state : List.of("inspecting", "available", "provisioned")) {
                assertTrue(history.body().contains(state), "history names " + state + ": " + history.body());
            }

            var biosAgain = lab.bootWithBmc(LabNetwork.PROVISIONING, bios.spec());
            var uefiAgain = lab.bootWithBmc(LabNetwork.PROVISIONING, uefi.spec());
            for (QemuMachine vm : List.of(biosAgain, uefiAgain)) {
                String marker = BootMedia.DISK_MARKER + " " + (vm.spec().firmware() == Firmware.UEFI_OWN_PXE ? "uefi" : "bios");
                assertTrue(vm.serial().awaitText(marker, deadline.remaining()),
                        () -> lab.failure(vm + " never booted its disk (" + marker + ")").getMessage());
                assertFalse(vm.serial().awaitText("/assets/agent/vmlinuz", Duration.ZERO),
                        () -> lab.failure(vm + " fetched the agent kernel although it is provisioned").getMessage());
            }

            wire.close();
            assertNoSecretInAnyLog(lab, wire);
        }
    }

    private static ApplianceApi.Reply awaitState(LabScenario lab, ApplianceApi api, String mac, String state, Deadline deadline) {
        while (true) {
            var machine = api.machine(mac);
            if (machine.status() == 200 && state.equals(machine.field("state").orElse(null))) {
                return machine;
            }
            if (deadline.remaining().isZero()) {
                throw lab.failure(mac + " never became " + state + "; last: " + machine);
            }
            Deadline.pause(Duration.ofMillis(500), "waiting for " + mac + " to become " + state);
        }
    }

    /** The inventory against the QEMU command line: every field the lab set, exactly. */
    private static void assertInventoryIsWhatQemuWasGiven(QemuMachine vm, JsonNode inventory, LldpSwitch lldpSwitch)
            throws IOException {
        MachineSpec spec = vm.spec();
        String where = vm + " inventory " + inventory;
        Map<String, JsonNode> nics = new HashMap<>();
        inventory.path("interfaces").forEach(nic -> nics.put(nic.path("mac_address").asText(), nic));
        assertEquals(new TreeSet<>(List.of(spec.mac(), spec.secondNicMac())), new TreeSet<>(nics.keySet()),
                "interfaces' MACs: " + where);
        assertEquals(MachineSpec.BOOT_NIC_SPEED_MBPS, nics.get(spec.mac()).path("speed_mbps").asInt(-1),
                "the boot NIC's speed: " + where);
        assertTrue(nics.get(spec.secondNicMac()).path("speed_mbps").isNull(), "an unplugged NIC's speed is null, not 0: " + where);
        // What the switch (lldpd on br0) said, on the cabled NIC only: IPA's TLV pairs and our decoding.
        JsonNode cabled = nics.get(spec.mac());
        assertTrue(cabled.path("lldp").isArray() && !cabled.path("lldp").isEmpty()
                && cabled.path("lldp").get(0).isArray() && cabled.path("lldp").get(0).size() == 2, "lldp TLV pairs: " + where);
        JsonNode neighbour = cabled.path("lldp_neighbour");
        assertEquals(LldpSwitch.SYSTEM_NAME, neighbour.path("system_name").asText(null), "LLDP system name: " + where);
        assertEquals(lldpSwitch.chassisId(), neighbour.path("chassis_id").asText(null), "LLDP chassis id: " + where);
        assertEquals(lldpSwitch.portId(), neighbour.path("port_id").asText(null), "LLDP port id: " + where);
        assertTrue(nics.get(spec.secondNicMac()).path("lldp_neighbour").isMissingNode()
                || nics.get(spec.secondNicMac()).path("lldp_neighbour").isNull(), "no LLDP on the unplugged NIC: " + where);
        assertEquals(spec.mac(), inventory.path("boot").path("pxe_interface").asText(null), "pxe_interface: " + where);
        assertEquals(spec.firmware() == Firmware.UEFI_OWN_PXE ? "uefi" : "bios",
                inventory.path("boot").path("current_boot_mode").asText(null), "boot mode: " + where);
        assertEquals(spec.memoryMiB(), inventory.path("memory").path("physical_mb").asInt(-1), "physical_mb: " + where);
        assertEquals(spec.uuid().toString(), inventory.path("smbios_uuid").asText("").toLowerCase(Locale.ROOT),
                "SMBIOS UUID: " + where);
        assertEquals(spec.serial(), inventory.path("system_vendor").path("serial_number").asText(null), "serial: " + where);

        Map<String, Long> disks = new HashMap<>();
        inventory.path("disks").forEach(disk -> disks.put(disk.path("serial").asText(), disk.path("size").asLong()));
        assertEquals(Map.of(spec.diskSerial(0), Files.size(vm.diskImage()), spec.diskSerial(1), spec.secondDiskBytes()), disks,
                "disk serials and sizes: " + where);
    }

    /** Every boot token and credential on the wire, then every log of the scenario searched for each. */
    private static void assertNoSecretInAnyLog(LabScenario lab, PacketWatch wire) throws IOException {
        StringBuilder http = new StringBuilder();
        wire.packets().entries().forEach(packet -> http.append(new String(packet.payload(), StandardCharsets.ISO_8859_1)));
        List<String> tokens = all(TOKEN_ON_THE_WIRE.matcher(http));
        List<String> credentials = all(CREDENTIAL_ON_THE_WIRE.matcher(http));
        // Two agent boots: at least a token and a credential each, or this check could not fail.
        assertTrue(tokens.size() >= 2, "boot tokens seen on the wire: " + tokens.size());
        assertTrue(credentials.size() >= 2, "session credentials seen on the wire: " + credentials.size());
        List<Path> logs;
        try (Stream<Path> files = Files.walk(lab.network().workDir())) {
            logs = files.filter(Files::isRegularFile)
                    .filter(file -> file.getFileName().toString().endsWith(".log"))
                    .filter(file -> !file.getFileName().toString().startsWith(WIRE_LOG))
                    .toList();
        }
        assertTrue(logs.stream().anyMatch(log -> log.getFileName().toString().equals("appliance.log")), "no appliance.log in " + logs);
        assertTrue(logs.stream().filter(log -> log.getFileName().toString().startsWith("serial")).count() >= 4,
                "serial logs: " + logs);
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            for (String token : tokens) {
                assertFalse(text.contains(token), log + " holds a boot token");
            }
            for (String credential : credentials) {
                assertFalse(text.contains(credential), log + " holds a session credential");
            }
        }
    }

    private static List<String> all(Matcher matcher) {
        List<String> found = new ArrayList<>();
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
