package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The boot flow to the real agent and back to the disk, on both firmwares at once: a BIOS machine
 * (QEMU's iPXE ROM) and a UEFI machine (OVMF's own PXE, then snponly.efi over the appliance's
 * TFTP), each with 2 GiB, three blank disks (8, 2 and 6 GiB, in that order, each with a serial
 * and a boot index after the NIC), a second NIC and an SMBIOS serial and UUID.
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
 *   <li>The operator deploys a catalog image: the BIOS machine {@code bios-disk} (the BIOS test disk
 *       as qcow2) onto its 8 GiB disk by a serial hint, the UEFI machine {@code uefi-disk} (the
 *       UEFI test disk, zstd) with no hint (the agent picks the smallest disk of at least 4 GiB:
 *       the 6 GiB one). The agent writes and verifies it, the machine becomes {@code provisioned}
 *       with its {@code DeployedDisk}, the agent reboots it, and the same QEMU process PXE-boots,
 *       gets the local-disk script and the firmware boots the written disk (its marker on the
 *       console), never the agent again.</li>
 *   <li>From the host: the written disk file starts with the raw image and is zeros after it, the
 *       other two disks are still blank; the reported disk GUID and partition GUIDs are the raw
 *       image's (sfdisk), each partition's node was seen, and the disk is the expected /dev/vdX.</li>
 *   <li>Neither boot token nor session credential, both read off the wire, is in any log of the
 *       scenario: the appliance's, the serial consoles', QEMU's, dnsmasq's.</li>
 * </ol>
 */
class HttpBootIT {
    /** Under TCG, two VMs on two cores: PXE, a 30 MiB ramdisk over HTTP, the agent, a deploy, PXE again, the disk. */
    private static final Duration BUDGET = Duration.ofSeconds(420);
    private static final long GIB = 1024L * 1024 * 1024;
    /** Each machine's disks, in this order: the BIOS machine's image goes on the first, the UEFI one's on the last. */
    private static final long[] DISKS = {8 * GIB, 2 * GIB, 6 * GIB};
    /** What the agent prints when the appliance tells it to reboot (after the verified write). */
    private static final String REBOOT = "metalboot-agent: reboot (asked by the appliance)";
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeAgentLabCanRun();
    }

    @Test
    void discoveredMachinesAreInspectedThenDeployedByTheAgentAndBootTheWrittenDisks() throws IOException {
        var media = LabScenario.media();
        try (var lab = LabScenario.start("http-boot", false)) {
            Path imageDir = lab.network().workDir().resolve("images");
            var biosImage = DeployImage.qcow2("bios-disk", media.biosDisk(), imageDir);
            var uefiImage = DeployImage.zstd("uefi-disk", media.uefiDisk(), imageDir);
            var config = lab.config(DhcpMode.OFFER).withCatalog(List.of(biosImage, uefiImage));
            BootMedia.installAgentRamdisk(LabRequirements.appliance(), config.assets());
            var wire = lab.watchApplianceHttp();
            lab.startAppliance(config);
            var lldpSwitch = LldpSwitch.start(lab.network());
            var api = lab.api();
            var bios = lab.bootWithBmc(LabNetwork.PROVISIONING,
                    MachineSpec.of("bios", Firmware.BIOS_IPXE_ROM, 0x21).withAgentHardware().withBlankDisks(DISKS));
            var uefi = lab.bootWithBmc(LabNetwork.PROVISIONING,
                    MachineSpec.of("uefi", Firmware.UEFI_OWN_PXE, 0x22).withAgentHardware().withBlankDisks(DISKS));
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

            // The deploys: BIOS by a serial hint onto its first disk (the one sanboot 0x80 boots), UEFI
            // without a hint (the agent's smallest disk of at least 4 GiB: the last, 6 GiB).
            List<Deployed> deploys = List.of(
                    new Deployed(bios, biosImage, 0, Map.of("serial", bios.spec().diskSerial(0))),
                    new Deployed(uefi, uefiImage, 2, Map.of()));
            for (Deployed deploy : deploys) {
                QemuMachine vm = deploy.vm();
                var reply = api.deploy(vm.spec().mac(), deploy.image().name(), deploy.hints());
                assertEquals(202, reply.status(), () -> lab.failure(vm + ": POST deploy: " + reply).getMessage());
                deploy.requested = System.nanoTime();
            }
            // Both machines at once, each phase timed when first seen.
            while (deploys.stream().anyMatch(deploy -> deploy.booted == 0)) {
                for (Deployed deploy : deploys) {
                    QemuMachine vm = deploy.vm();
                    if (deploy.provisioned == 0) {
                        var machine = api.machine(vm.spec().mac());
                        String state = machine.field("state").orElse("");
                        if (state.equals("provisioned")) {
                            deploy.provisioned = System.nanoTime();
                            deploy.printSince("provisioned", deploy.provisioned);
                        } else if (!state.equals("provisioning")) {
                            throw lab.failure(vm + " left provisioning for " + state + ": " + machine.body());
                        }
                    }
                    String marker = marker(vm);
                    if (deploy.provisioned != 0 && deploy.booted == 0 && vm.serial().hasTextAfter(REBOOT, marker)) {
                        deploy.booted = System.nanoTime();
                        deploy.printSince("booted the written disk (" + marker + ")", deploy.booted);
                        LabScenario.printBootTime(vm, "written disk's marker (one agent boot, a deploy, a reboot)");
                    }
                }
                if (deploy(deploys).isPresent() && deadline.remaining().isZero()) {
                    Deployed late = deploy(deploys).get();
                    throw lab.failure(late.vm() + (late.provisioned == 0 ? " never became provisioned"
                            : " never booted its written disk (" + marker(late.vm()) + " after \"" + REBOOT + "\")"));
                }
                Deadline.pause(Duration.ofMillis(500), "waiting for the deploys");
            }
            for (Deployed deploy : deploys) {
                QemuMachine vm = deploy.vm();
                assertFalse(vm.serial().hasTextAfter(REBOOT, "/assets/agent/vmlinuz"),
                        () -> lab.failure(vm + " fetched the agent kernel although it is provisioned").getMessage());
                JsonNode inventory = json.readTree(api.inventory(vm.spec().mac()).body());
                assertWrittenAsReported(vm, deploy, json.readTree(api.machine(vm.spec().mac()).body()), inventory);
            }
            var history = api.get("/api/v1/machines/" + bios.spec().mac() + "/history");
            assertEquals(200, history.status(), "GET history: " + history);
            for (String state : List.of("inspecting", "available", "provisioning", "provisioned")) {
                assertTrue(history.body().contains(state), "history names " + state + ": " + history.body());
            }

            wire.close();
            lab.assertNoSecretInAnyLog(wire, 2, List.of(), List.of());
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
        Map<String, Long> given = new HashMap<>();
        for (int i = 0; i < spec.diskCount(); i++) {
            long blank = spec.blankDiskBytes(i);
            given.put(spec.diskSerial(i), blank >= 0 ? blank : Files.size(vm.diskFile(i)));
        }
        assertEquals(given, disks, "disk serials and sizes: " + where);
    }

    /** One machine's deploy: what it was asked, onto which of its disks it must land, when each phase was seen. */
    private static final class Deployed {
        private final QemuMachine vm;
        private final DeployImage image;
        private final int disk;
        private final Map<String, String> hints;
        long requested;
        long provisioned;
        long booted;

        Deployed(QemuMachine vm, DeployImage image, int disk, Map<String, String> hints) {
            this.vm = vm;
            this.image = image;
            this.disk = disk;
            this.hints = hints;
        }

        QemuMachine vm() {
            return vm;
        }

        DeployImage image() {
            return image;
        }

        Map<String, String> hints() {
            return hints;
        }

        void printSince(String milestone, long at) {
            System.out.printf("lab: %s (%s) deploy of %s: %s %.1f s after the request%n", vm, vm.spec().firmware(),
                    image.name(), milestone, (at - requested) / 1e9);
        }
    }

    /** The first deploy not done yet. */
    private static java.util.Optional<Deployed> deploy(List<Deployed> deploys) {
        return deploys.stream().filter(deploy -> deploy.booted == 0).findFirst();
    }

    private static String marker(QemuMachine vm) {
        return BootMedia.DISK_MARKER + " " + (vm.spec().firmware() == Firmware.UEFI_OWN_PXE ? "uefi" : "bios");
    }

    /**
     * What the host sees on the machine's disk files against what the appliance stored: the image
     * on the chosen disk, bytes for bytes and zeros after it, the other disks untouched; the
     * {@code DeployedDisk}'s device, GUIDs and partition nodes those of the raw image.
     */
    private void assertWrittenAsReported(QemuMachine vm, Deployed deploy, JsonNode machine, JsonNode inventory)
            throws IOException {
        MachineSpec spec = vm.spec();
        byte[] raw = Files.readAllBytes(deploy.image().raw());
        for (int i = 0; i < spec.diskCount(); i++) {
            assertDiskHolds(vm.diskFile(i), i == deploy.disk ? raw : new byte[0], vm + " disk " + i);
        }
        JsonNode stored = machine.path("deploy");
        String where = vm + ": the deploy " + stored;
        assertEquals("succeeded", stored.path("state").asText(null), "deploy state: " + where);
        JsonNode disk = stored.path("disk");
        String expected = null;
        for (JsonNode d : inventory.path("disks")) {
            if (spec.diskSerial(deploy.disk).equals(d.path("serial").asText())) {
                expected = d.path("name").asText(null);
            }
        }
        assertEquals("/dev/vd" + (char) ('a' + deploy.disk), expected, "inventory name of disk " + deploy.disk + ": " + inventory);
        assertEquals(expected, disk.path("disk").asText(null), "the written disk: " + where);
        assertEquals(spec.diskSerial(deploy.disk), disk.path("serial").asText(null), "its serial: " + where);
        assertEquals("sha256:" + deploy.image().sha256(), disk.path("sourceChecksum").asText(null), "source checksum: " + where);
        assertEquals(raw.length, disk.path("imageBytes").asLong(-1), "image bytes: " + where);

        JsonNode table = json.readTree(Command.run(List.of(Tool.SFDISK.path(), "--json", deploy.image().raw().toString())))
                .path("partitiontable");
        String label = table.path("label").asText();
        assertEquals(label, disk.path("tableType").asText(null), "table type: " + where);
        String id = table.path("id").asText();
        // GPT: the disk GUID; dos: the disk identifier, both as sfdisk prints them (0x1d2fcac0).
        assertEquals(id.toUpperCase(Locale.ROOT), disk.path("diskGuid").asText("").toUpperCase(Locale.ROOT),
                "disk GUID (sfdisk: " + id + "): " + where);
        List<String> sfdiskGuids = new ArrayList<>();
        table.path("partitions").forEach(p -> sfdiskGuids.add(p.path("uuid").asText(null)));
        List<String> reported = new ArrayList<>();
        disk.path("partitions").forEach(p -> {
            reported.add(p.path("partitionGuid").isNull() ? null : p.path("partitionGuid").asText());
            assertTrue(p.path("nodeSeen").asBoolean(false), "partition node seen: " + p + " in " + where);
        });
        assertFalse(reported.isEmpty(), "partitions reported: " + where);
        assertEquals(upper(sfdiskGuids), upper(reported), "partition GUIDs (sfdisk: " + sfdiskGuids + "): " + where);
    }

    private static List<String> upper(List<String> guids) {
        return guids.stream().map(g -> g == null ? "null" : g.toUpperCase(Locale.ROOT)).toList();
    }

    /**
     * The disk file's content is {@code image} then zeros to its end. Only what the file has
     * allocated is read ({@code qemu-img map}: a hole reads as zeros), so an 8 GiB sparse disk
     * costs its written extents, not 8 GiB of reads.
     */
    private void assertDiskHolds(Path file, byte[] image, String what) throws IOException {
        JsonNode map = json.readTree(Command.run(List.of(Tool.QEMU_IMG.path(), "map", "--output=json", "-f", "raw",
                file.toString())));
        long allocated = 0;
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            for (JsonNode extent : map) {
                if (!extent.path("data").asBoolean(true) || extent.path("zero").asBoolean(false)) {
                    continue;
                }
                long start = extent.path("start").asLong();
                long end = start + extent.path("length").asLong();
                allocated += end - start;
                for (long at = start; at < end; ) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
                    int n = channel.read(buffer, at);
                    if (n <= 0) {
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        long offset = at + i;
                        byte want = offset < image.length ? image[(int) offset] : 0;
                        if (buffer.get(i) != want) {
                            throw new AssertionError(what + " (" + file + "): byte " + offset + " is " + buffer.get(i)
                                    + ", not " + want + (offset < image.length ? " (the image's)" : " (zeros after the image)"));
                        }
                    }
                    at += n;
                }
            }
        }
        if (image.length > 0) {
            // Where the image's own bytes are not zero, the file must have data: a hole there would
            // have been skipped above.
            try (var channel = java.nio.channels.FileChannel.open(file)) {
                ByteBuffer head = ByteBuffer.allocate(image.length);
                while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
                }
                assertEquals(-1, head.flip().mismatch(ByteBuffer.wrap(image)), what + " (" + file + ") starts with the image");
            }
        } else {
            System.out.printf("lab: %s (%s) still blank: %d bytes allocated, all zeros%n", what, file.getFileName(), allocated);
        }
    }

    /** Every boot token and credential on the wire, then every log of the scenario searched for each. */
}
