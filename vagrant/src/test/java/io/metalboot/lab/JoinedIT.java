package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Power-on to {@code joined}, Metal³'s way, on both firmwares at once. The management cluster is
 * fabric8's mock server in CRUD mode, as a process of its own in the appliance's namespace (no
 * kube-apiserver runs here), holding a BareMetalHost per machine as Cluster API's Metal³ provider
 * leaves it: boot MAC, {@code spec.image} on the appliance's image service, root-device hints,
 * {@code consumerRef}, and {@code spec.userData} naming a CABPK-shaped Secret made from the metal3
 * vector. The image is a real Debian 12 with cloud-init ({@link NodeImage}).
 * <ol>
 *   <li>The UEFI machine (config-drive mode, cloud-init) and the BIOS machine (first-boot mode: the
 *       same image with cloud-init disabled) PXE boot the agent, are inspected (the host gets
 *       {@code status.hardware}), deployed by the appliance itself (the hint from the host's
 *       {@code rootDeviceHints}), get their bootstrap (UEFI: a config-2 drive at the disk's end),
 *       reboot to the disk, run the join, and their nodes report: {@code joined}, the host
 *       {@code provisioned}.</li>
 *   <li>From the disks after power-off: the kubeadm stand-in recorded {@code kubeadm join --config
 *       /run/kubeadm/kubeadm-join-config.yaml}, the JoinConfiguration with this machine's name and
 *       {@code metal3.io/uuid}; {@code /etc/foo.conf} is {@code bar}; the image's partitions intact,
 *       and on the UEFI disk the GPT extended to the disk's end with exactly one config-2 partition.</li>
 *   <li>No secret in a log: neither the vector's join token, nor any boot token or agent credential
 *       seen on the wire, nor either node credential, in the appliance's, the mock cluster's or
 *       the serial logs.</li>
 * </ol>
 */
class JoinedIT {
    private static final Duration BUDGET = Duration.ofMinutes(11);
    private static final long GIB = 1024L * 1024 * 1024;
    private static final long[] DISKS = {4 * GIB, 3 * GIB};
    private static final String JOIN_TOKEN = "t6ce1o.wkyg0xd1di0itgau";
    private final ObjectMapper json = new ObjectMapper();

    /** One machine of the scenario: its VM, which disk the image goes to, and when each phase was first seen. */
    private static final class Node {
        final QemuMachine vm;
        final String host;
        final int disk;
        final boolean cloudInit;
        final Map<String, Double> phases = new LinkedHashMap<>();
        String state = "";

        Node(QemuMachine vm, String host, int disk, boolean cloudInit) {
            this.vm = vm;
            this.host = host;
            this.disk = disk;
            this.cloudInit = cloudInit;
        }

        void seen(String phase) {
            if (!phases.containsKey(phase)) {
                phases.put(phase, vm.sincePowerOn().toMillis() / 1000.0);
                System.out.printf("lab: %s (%s): %s at %.1f s%n", vm, vm.spec().firmware(), phase, phases.get(phase));
            }
        }
    }

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeAgentLabCanRun();
    }

    @Test
    void bothMachinesGoFromPowerOnToJoinedAndTheirNodesSaySo() throws Exception {
        Path vagrantDir = Path.of("").toAbsolutePath();
        try (var lab = LabScenario.start("joined", false)) {
            Path work = lab.network().workDir();
            DeployImage cloudInit = NodeImage.withCloudInit(vagrantDir, work.resolve("node-image"));
            DeployImage firstBoot = NodeImage.withoutCloudInit(cloudInit, NodeImage.cacheDir(), work);
            MachineSpec biosSpec = MachineSpec.of("bios", Firmware.BIOS_IPXE_ROM, 0x31).withAgentHardware()
                    .withBlankDisks(DISKS);
            MachineSpec uefiSpec = MachineSpec.of("uefi", Firmware.UEFI_OWN_PXE, 0x32).withAgentHardware()
                    .withBlankDisks(DISKS);
            var cluster = LabCluster.start(lab.network(), vagrantDir.getParent(), List.of(
                    new LabCluster.Host("bios-0", biosSpec, firstBoot, "serialNumber: " + biosSpec.diskSerial(0)),
                    new LabCluster.Host("uefi-0", uefiSpec, cloudInit, "deviceName: /dev/vdb")));

            var config = lab.config(DhcpMode.OFFER).withCatalog(List.of(cloudInit, firstBoot))
                    .withBootstrap(cluster.bootstrapConfig());
            BootMedia.installAgentRamdisk(LabRequirements.appliance(), config.assets());
            var wire = lab.watchApplianceHttp();
            lab.startAppliance(config);
            var api = lab.api();
            List<Node> nodes = List.of(new Node(lab.boot(LabNetwork.PROVISIONING, biosSpec), "bios-0", 0, false),
                    new Node(lab.boot(LabNetwork.PROVISIONING, uefiSpec), "uefi-0", 1, true));
            var deadline = Deadline.in(BUDGET);

            while (nodes.stream().anyMatch(node -> !node.state.equals("joined"))) {
                for (Node node : nodes) {
                    if (node.vm.serial().awaitText("metalboot-agent: registered with ", Duration.ZERO)) {
                        node.seen("agent registered");
                    }
                    var machine = api.machine(node.vm.spec().mac());
                    node.state = machine.status() == 200 ? machine.field("state").orElse("") : "";
                    switch (node.state) {
                        case "available", "provisioning", "provisioned", "joined" -> node.seen(node.state);
                        case "failed" -> throw lab.failure(node.vm + " failed: " + machine.body());
                        default -> { }
                    }
                    if (node.state.equals("provisioned") && node.vm.serial().awaitText(node.cloudInit
                            ? "Cloud-init v." : "first-boot[", Duration.ZERO)) {
                        node.seen("booted the written disk");
                    }
                }
                if (deadline.remaining().isZero()) {
                    throw lab.failure("not joined within " + BUDGET + ": " + nodes.stream()
                            .map(node -> node.vm + " " + node.state).toList());
                }
                Deadline.pause(Duration.ofSeconds(1), "waiting for both nodes to join");
            }
            for (Node node : nodes) {
                JsonNode host = cluster.host(node.host);
                assertEquals("provisioned", host.at("/status/provisioning/state").asText(), node.host + ": " + host);
                assertTrue(host.at("/status/hardware/cpu/count").asInt() >= 1, node.host + " hardware: " + host);
                assertEquals(node.vm.spec().mac(), host.at("/spec/bootMACAddress").asText(), "the spec stays");
            }
            List<String> nodeCredentials = new ArrayList<>();
            for (Node node : nodes) {
                node.vm.close();
                nodeCredentials.add(assertJoinedOnDisk(node));
            }
            wire.close();
            List<String> more = new ArrayList<>(List.of(JOIN_TOKEN));
            more.addAll(nodeCredentials);
            assertEquals(2, nodeCredentials.stream().filter(c -> c.length() >= 16).count(), "both node credentials read");
            lab.assertNoSecretInAnyLog(wire, 2, more, List.of("mock-cluster.log"));
            System.out.println("lab: phases (seconds since power-on): " + nodes.stream()
                    .map(node -> node.vm + " " + node.phases).toList());
        }
    }

    /** What the node's disk holds after power-off; the node credential the agent placed (for the log check). */
    private String assertJoinedOnDisk(Node node) throws IOException {
        Path disk = node.vm.diskFile(node.disk);
        String sfdisk = Command.run(List.of(Tool.SFDISK.path(), "--json", disk.toString()));
        // sfdisk warns first when the backup GPT is not at the disk's end (the first-boot disk's image is smaller)
        JsonNode table = json.readTree(sfdisk.substring(sfdisk.indexOf('{'))).path("partitiontable");
        JsonNode partitions = table.path("partitions");
        String where = node.vm + " disk " + disk + ": " + table;
        assertEquals(node.cloudInit ? 4 : 3, partitions.size(), "the image's three partitions"
                + (node.cloudInit ? " and the config drive: " : ": ") + where);
        if (node.cloudInit) {
            JsonNode drive = partitions.get(3);
            assertEquals("config-2", drive.path("name").asText(), "the config drive: " + where);
            long sectors = Files.size(disk) / 512;
            assertEquals(sectors - 34, table.path("lastlba").asLong(), "the GPT reaches the disk's end: " + where);
            assertTrue(drive.path("start").asLong() + drive.path("size").asLong() <= sectors - 33, where);
        }
        JsonNode root = partitions.get(2);
        Path mount = Files.createDirectories(node.vm.diskFile(node.disk).resolveSibling("root-" + node.disk));
        String loop = Command.run(List.of("losetup", "--find", "--show", "--read-only", "--offset",
                Long.toString(root.path("start").asLong() * 512), "--sizelimit",
                Long.toString(root.path("size").asLong() * 512), disk.toString())).strip();
        try {
            Command.run(List.of("mount", "-t", "ext4", "-o", "ro,noload", loop, mount.toString()));
            try {
                String recorded = Files.readString(mount.resolve("var/log/kubeadm-standin.log"));
                assertTrue(recorded.contains("join --config /run/kubeadm/kubeadm-join-config.yaml"),
                        node.vm + ": the stand-in recorded " + recorded);
                String joinConfig = Files.readString(mount.resolve("var/log/kubeadm-standin-config.yaml"));
                assertTrue(joinConfig.contains("name: '" + node.host + "'"), node.vm + ": " + joinConfig);
                assertTrue(joinConfig.matches("(?s).*value: metal3\\.io/uuid=[0-9a-f-]{36}\\n.*"), node.vm + ": " + joinConfig);
                assertEquals("bar\n", Files.readString(mount.resolve("etc/foo.conf")), node.vm + ": /etc/foo.conf");
                return Files.readString(mount.resolve("etc/metalboot/node-credential")).strip();
            } finally {
                Command.run(List.of("umount", mount.toString()));
            }
        } finally {
            Command.run(List.of("losetup", "-d", loop));
        }
    }
}
