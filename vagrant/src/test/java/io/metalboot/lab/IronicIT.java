package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A real Ironic (Debian's 21.4.4 with ironic-inspector 11.1.0, standalone: {@link IronicService})
 * drives metalboot's agent as a drop-in for ironic-python-agent, twice in one lab.
 *
 * <p><b>A QEMU machine</b> (UEFI) PXE-boots the agent ramdisk from the appliance with Ironic's kernel
 * parameters and goes through everything in one boot: {@code baremetal node inspect} (the agent posts
 * its inventory to the inspector; the node's cpus, memory_mb, local_gb and cpu_arch are then what
 * QEMU was given), {@code provide} (automated cleaning: the metadata erase), {@code deploy} to
 * {@code active} (the lab's UEFI test disk written, its removable-media loader found for
 * install_bootloader, the machine powered off by {@code standby.power_off}). The test then marks the
 * machine provisioned through metalboot's operator API — what Ironic's own PXE boot interface would
 * do by switching it to local boot — powers it on, and the firmware boots the written disk.
 *
 * <p><b>While that machine boots</b>, the agent runs as a process on the host ({@link HostAgent}), in
 * a namespace on the provisioning segment, with an allow list naming only a loop device this test
 * made: {@code manage → provide} (cleaning) {@code → deploy} to {@code active} with a raw image, then
 * {@code rebuild} with the same disk as qcow2, each written disk equal to the image converted to raw;
 * a wrong {@code os_hash_value} leaves the node in {@code deploy failed} with the agent's reason in
 * {@code last_error} (and Ironic stores the logs it collected); a root-device hint naming a device
 * off the allow list is refused, that device never touched. The agent API refuses a command without
 * the agent token, or with a wrong one. Images come from metalboot's image service through signed
 * URLs minted for each node's MAC.
 */
class IronicIT {
    private static final String MAC = "52:54:00:19:00:11";
    private static final String AGENT_ADDRESS = "10.203.0.60";
    private static final Duration BUDGET = Duration.ofMinutes(8);
    private static final Duration STATE = Duration.ofMinutes(4);
    /** QemuMachine gives no {@code -smp}: QEMU's default, one vCPU. */
    private static final int QEMU_CPUS = 1;
    private static final long DISK_BYTES = 8L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ironic's agent tokens: secrets.token_urlsafe(), 43 characters of base64url. */
    private static final Pattern TOKEN_LIKE = Pattern.compile("(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])");

    @Test
    void ironicInspectsCleansAndDeploysALabMachineAndTheAgentOnTheHost() throws Exception {
        LabRequirements.assumeIronicCanRun();
        LabRequirements.assumeAgentLabCanRun();
        long started = System.nanoTime();
        List<String> loops = new ArrayList<>();
        try (var lab = LabScenario.start("ironic", false)) {
            Path work = lab.network().workDir();
            Path raw = LabScenario.media().uefiDisk();
            var rawImage = new DeployImage("uefi-raw", raw, "raw", DeployImage.sha256(raw), raw);
            var qcow2 = DeployImage.qcow2("uefi-qcow2", raw, work.resolve("images"));
            MachineSpec spec = MachineSpec.of("uefi-ironic", Firmware.UEFI_OWN_PXE, 0x41).withAgentHardware()
                    .withBlankDisks(DISK_BYTES);
            try (var ironic = IronicService.start(lab.network().appliance(),
                    IronicService.Settings.of(LabNetwork.PROVISIONING.applianceAddress(), work.resolve("ironic")))) {
                System.out.println("IronicIT: Ironic and the inspector ready in " + ironic.startupTime().toMillis() + " ms");
                // the agent ramdisk as the .deb ships it, with Ironic's parameters; metalboot's own are added after them
                var config = lab.config(DhcpMode.OFFER).withCatalog(List.of(rawImage, qcow2))
                        .withAgentArgs(ApplianceConfig.LAB_AGENT_ARGS + " ipa-api-url=" + ironic.apiUrl()
                                + " ipa-inspection-callback-url=" + ironic.inspectionCallbackUrl()
                                + " ipa-inspection-collectors=default,extra-hardware ipa-lookup-interval=2"
                                + " ipa-lookup-timeout=900 ipa-heartbeat-timeout=6");
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
                // when the agent's start line appears (watched apart: the host flow below runs meanwhile)
                var agentStarted = new java.util.concurrent.CompletableFuture<Long>();
                Thread.ofVirtual().start(() -> {
                    if (vm.serial().awaitText("metalboot-agent: started", BUDGET)) {
                        agentStarted.complete(System.nanoTime());
                    } else {
                        agentStarted.complete(null);
                    }
                });

                // while the machine boots under TCG (a core of its own), the agent on the host is deployed
                hostAgentFlow(lab, ironic, rawImage, qcow2, loops);

                JsonNode inspected = api.waitForProvisionState(uuid, "manageable", STATE);
                Long agentSeen = agentStarted.get(deadline.remaining().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                if (agentSeen == null) {
                    throw lab.failure(vm + ": the agent never started");
                }
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
                api.setImage(uuid, lab.api().signedUrl(rawImage.name(), spec.mac()), rawImage.sha256(), "raw");
                api.setProvisionState(uuid, "active");
                api.waitForProvisionState(uuid, "active", STATE);
                LabScenario.printBootTime(vm, "active in Ironic");
                System.out.printf("IronicIT: the lab machine, agent start → active (inspection, cleaning, deploy) %.1f s%n",
                        (System.nanoTime() - agentSeen) / 1e9);
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
            for (String device : loops) {
                Command.run(List.of("losetup", "-d", device));
            }
            System.out.printf("IronicIT: %.1f s%n", (System.nanoTime() - started) / 1e9);
        }
    }

    /** The agent as a host process, one per boot of the "machine", through every case above. */
    private static void hostAgentFlow(LabScenario lab, IronicService ironic, DeployImage rawImage, DeployImage qcow2,
            List<String> loops) throws Exception {
        Path work = lab.network().workDir();
        Path raw = rawImage.raw();
        String target = loop(work.resolve("target.img"), 64 << 20, loops);
        String outsider = loop(work.resolve("outsider.img"), 64 << 20, loops);
        byte[] outsiderBefore = pattern(outsider);
        var host = lab.network().addHost("ipa", MAC);
        host.ip("addr", "add", AGENT_ADDRESS + "/24", "dev", "eth0");
        long flowStarted = System.nanoTime();
        var api = ironic.api();
        String uuid = api.createNode(Map.of("name", "host-agent", "driver", "fake-hardware",
                // lenovo + UEFI: the fake management interface's set-boot-device-to-disk is skipped (Ironic bug 2053064)
                "properties", Map.of("vendor", "lenovo", "cpu_arch", "x86_64", "root_device", Map.of("name", target)),
                "driver_info", Map.of("deploy_forces_oob_reboot", true)));
        api.createPort(uuid, MAC);
        JsonNode enrolled = api.node(uuid);
        assertEquals("enroll", IronicApiClient.text(enrolled, "provision_state"));
        for (String[] iface : new String[][] {{"boot_interface", "fake"}, {"deploy_interface", "direct"},
            {"power_interface", "fake"}, {"management_interface", "fake"}, {"inspect_interface", "inspector"}}) {
            assertEquals(iface[1], IronicApiClient.text(enrolled, iface[0]), iface[0]);
        }
        String cmdline = "ipa-api-url=" + ironic.apiUrl() + " ipa-lookup-interval=1 ipa-lookup-timeout=240"
                + " ipa-heartbeat-timeout=6 ipa-global-request-id=req-3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
                + " ipa-debug=1 metalboot.lldp-seconds=0";

        // manage, then provide: automated cleaning is the agent's metadata erase, on the allowed disk only
        ironic.baremetal("node", "manage", uuid, "--wait", "60");
        assertEquals("manageable", IronicApiClient.text(api.node(uuid), "provision_state"));
        try (var agent = HostAgent.start(host, work.resolve("agents"), "agent-clean", cmdline, List.of(target))) {
            ironic.baremetal("node", "provide", uuid);
            JsonNode available = api.waitForProvisionState(uuid, "available", STATE);
            // the operator's CLI (python3-ironicclient) sees what the REST API says
            JsonNode shown = JSON.readTree(ironic.baremetal("node", "show", uuid, "-f", "json"));
            for (String field : List.of("uuid", "name", "provision_state", "driver", "power_state", "deploy_interface")) {
                assertEquals(IronicApiClient.text(available, field), IronicApiClient.text(shown, field), "the CLI's " + field);
            }
            assertEquals(available.path("properties"), shown.path("properties"));
            assertEquals(available.path("driver_info"), shown.path("driver_info"));
            // a wait that runs out says where the node is
            var timeout = assertThrows(LabException.class,
                    () -> api.waitForProvisionState(uuid, "active", Duration.ofSeconds(1)));
            assertTrue(timeout.getMessage().contains("provision_state 'available'"), timeout::getMessage);
            assertTrue(agent.console().entries().stream().anyMatch(line -> line.contains("ignoring the kernel parameter ipa-debug")),
                    "an unknown ipa-* parameter is named once");
            // the agent's list starts over with Ironic's next token (as a rebooted IPA's): its console says what ran
            List<String> console = agent.console().entries();
            assertTrue(console.stream().anyMatch(line -> line.matches(".*command execute_clean_step \\S+: SUCCEEDED.*")),
                    "cleaning ran on the agent");
            List<String> erased = console.stream().filter(line -> line.contains("erased the metadata of")).toList();
            assertEquals(1, erased.size(), "only the allowed disk is erased: " + erased);
            assertTrue(erased.getFirst().contains("erased the metadata of " + target + " "), erased.toString());
            JsonNode commands = agentCommands(lab.network().appliance());
            tokenIsRequired(lab.network().appliance(), commands.size());
        }

        // deploy, raw: agent start to active timed
        api.setImage(uuid, lab.api().signedUrl(rawImage.name(), MAC), rawImage.sha256(), "raw");
        long agentStarted = System.nanoTime();
        try (var agent = HostAgent.start(host, work.resolve("agents"), "agent-raw", cmdline, List.of(target))) {
            api.setProvisionState(uuid, "active");
            api.waitForProvisionState(uuid, "active", STATE);
            System.out.printf("IronicIT: host agent, raw deploy, agent start → active in %.1f s%n",
                    (System.nanoTime() - agentStarted) / 1e9);
            assertDiskIs(target, raw);
            assertTrue(agent.console().entries().stream().anyMatch(line -> line.contains("command install_bootloader")
                    && line.contains("SUCCEEDED") && line.contains("boots through the removable-media path \\EFI\\BOOT\\BOOTX64.EFI")),
                    "install_bootloader: a stated no-op, the loader found on the ESP");
            JsonNode node = api.node(uuid);
            assertFalse(node.path("driver_internal_info").path("root_uuid_or_disk_id").asText("").isEmpty(),
                    "standby.get_partition_uuids named the disk: " + node.path("driver_internal_info"));
            noTokenIn(agent.console().entries());
        }

        // rebuild, qcow2: the same disk, converted
        api.setImage(uuid, lab.api().signedUrl(qcow2.name(), MAC), qcow2.sha256(), "qcow2");
        try (var agent = HostAgent.start(host, work.resolve("agents"), "agent-qcow2", cmdline, List.of(target))) {
            zeroStart(target);
            api.setProvisionState(uuid, "rebuild");
            api.waitForProvisionState(uuid, "active", STATE);
            assertDiskIs(target, raw);
            noTokenIn(agent.console().entries());
        }

        // rebuild with a wrong os_hash_value: deploy failed, the agent's reason in last_error
        api.setImage(uuid, lab.api().signedUrl(rawImage.name(), MAC), "0".repeat(64), "raw");
        try (var agent = HostAgent.start(host, work.resolve("agents"), "agent-wrong-hash", cmdline, List.of(target))) {
            api.setProvisionState(uuid, "rebuild");
            JsonNode failed = api.waitForProvisionState(uuid, "deploy failed", STATE);
            String lastError = IronicApiClient.text(failed, "last_error");
            assertTrue(lastError.contains("checksum"), "the agent's reason: " + lastError);
            assertTrue(lastError.contains("0".repeat(16)), "the expected checksum is named: " + lastError);
            noTokenIn(agent.console().entries());
        }
        try (var logs = Files.list(work.resolve("ironic").resolve("deploy-logs"))) {
            List<Path> stored = logs.filter(file -> file.getFileName().toString().contains(uuid)).toList();
            assertFalse(stored.isEmpty(), "Ironic stored the logs it collected from the agent");
            String listing = Command.run(List.of("tar", "-tzf", stored.getFirst().toString()));
            assertTrue(listing.contains("agent.log") && listing.contains("commands.json"), listing);
        }

        // a root-device hint naming a disk off the allow list: refused, the disk untouched
        api.patchNode(uuid, List.of(Map.of("op", "replace", "path", "/properties/root_device",
                "value", Map.of("name", outsider))));
        api.setImage(uuid, lab.api().signedUrl(rawImage.name(), MAC), rawImage.sha256(), "raw");
        try (var agent = HostAgent.start(host, work.resolve("agents"), "agent-outsider", cmdline, List.of(target))) {
            api.setProvisionState(uuid, "rebuild");
            JsonNode failed = api.waitForProvisionState(uuid, "deploy failed", STATE);
            String lastError = IronicApiClient.text(failed, "last_error");
            assertTrue(lastError.contains(outsider) && lastError.contains("not on the allow list"), lastError);
            assertTrue(agent.console().entries().stream().anyMatch(line -> line.contains("execute_deploy_step")
                    && line.contains("FAILED")), "the agent said why");
        }
        assertArrayEquals(outsiderBefore, pattern(outsider), "the disk off the allow list was never written");
        System.out.printf("IronicIT: the host agent's flow done at %.1f s%n", (System.nanoTime() - flowStarted) / 1e9);
    }

    /** A loop device on a new sparse file; the first MiB holds a pattern read back by {@link #pattern}. */
    private static String loop(Path file, long size, List<String> loops) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
            byte[] mark = new byte[1 << 20];
            java.util.Arrays.fill(mark, (byte) 0x5a);
            f.write(mark);
        }
        String device = Command.run(List.of("losetup", "--find", "--show", file.toString())).strip();
        loops.add(device);
        return device;
    }

    private static byte[] pattern(String device) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(device, "r")) {
            byte[] bytes = new byte[1 << 20];
            f.readFully(bytes);
            return bytes;
        }
    }

    private static void zeroStart(String device) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(device, "rw")) {
            f.write(new byte[1 << 20]);
            f.getFD().sync();
        }
    }

    /** The device's first bytes are the raw image, byte for byte (the buffers flushed first: the agent wrote past this process's cache). */
    private static void assertDiskIs(String device, Path raw) throws IOException {
        Command.run(List.of("blockdev", "--flushbufs", device));
        byte[] image = Files.readAllBytes(raw);
        byte[] disk = new byte[image.length];
        try (RandomAccessFile f = new RandomAccessFile(device, "r")) {
            f.readFully(disk);
        }
        assertTrue(java.util.Arrays.equals(image, disk), device + " holds the image's " + image.length + " bytes");
    }

    /** {@code GET /v1/commands/} of the agent, from {@code from} (with the token, or none as Ironic 21 reads it). */
    private static JsonNode agentCommands(Namespace from) throws IOException {
        String url = "https://" + AGENT_ADDRESS + ":9999/v1/commands/";
        String body = Command.run(from.exec(List.of("curl", "-sk", "--max-time", "10", url)));
        return JSON.readTree(body).get("commands");
    }

    /** Without the token, or with a wrong one: 401, and no command ran. */
    private static void tokenIsRequired(Namespace from, int commandsBefore) throws IOException {
        String sync = "{\"name\": \"standby.sync\", \"params\": {}}";
        for (String query : List.of("?wait=true", "?wait=true&agent_token=" + "x".repeat(43))) {
            String status = Command.run(from.exec(List.of("curl", "-sk", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                    "-H", "Content-Type: application/json", "--data-binary", sync,
                    "https://" + AGENT_ADDRESS + ":9999/v1/commands/" + query))).strip();
            assertEquals("401", status, query);
        }
        assertEquals(commandsBefore, agentCommands(from).size(), "a refused command never runs");
    }

    private static void noTokenIn(List<String> lines) {
        for (String line : lines) {
            var matcher = TOKEN_LIKE.matcher(line);
            while (matcher.find()) {
                assertTrue(matcher.group().matches("[0-9a-f]+"), "a token-like string on the agent's console: " + line);
            }
        }
    }
}
