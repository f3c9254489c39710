package io.metalboot.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The lab in one command: builds a private provisioning network, starts dnsmasq as the site DHCP
 * server and the built appliance (ProxyDHCP, TFTP, HTTP, with the agent ramdisk packaging built),
 * boots one UEFI VM (OVMF's own PXE) and one BIOS VM (QEMU's iPXE ROM) side by side and prints each
 * phase of their boot as it is seen: network boot, per-machine script, the agent registered, the
 * machine inspected ({@code available}); then the appliance, as Metal³'s provisioner for the lab's
 * mock management cluster ({@link LabCluster}), deploys each BareMetalHost's image (the Debian node
 * image, {@link NodeImage}: with cloud-init for the UEFI machine, which gets a config drive; without
 * for the BIOS one, which runs the compiled first-boot bootstrap) by its root-device hint; the
 * machine reboots into it, runs its join and its node reports: {@code joined}.
 * Exit status: 0 when both VMs reached their last phase, 1 when not, 2 when the lab could not be set up.
 * <p>
 * System properties: {@code metalboot.appliance.dir} (default {@code pxe-server/target/appliance}),
 * {@code metalboot.lab.workdir} (default {@code .lab}; each run writes its logs to a new directory there).
 */
public final class LabMain {
    /** Network boot, the agent, a deploy, the reboot, the OS's boot and its join, under TCG with two VMs on two cores. */
    private static final Duration VM_BUDGET = Duration.ofSeconds(660);

    /** One observable step of a VM's boot; the observer waits until the deadline and says what it saw. */
    private record Phase(String name, Function<Deadline, Optional<String>> observe) {
    }

    private LabMain() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run();
        } catch (LabException e) {
            System.out.println("lab: " + e.getMessage());
            status = 2;
        }
        System.exit(status);
    }

    private static int run() {
        Path applianceDir = Path.of(System.getProperty("metalboot.appliance.dir", "pxe-server/target/appliance"))
                .toAbsolutePath().normalize();
        var prerequisites = Prerequisites.check(applianceDir);
        var mediaPrerequisites = Prerequisites.checkBootMedia();
        if (!prerequisites.met() || !mediaPrerequisites.met()) {
            System.out.println("lab: cannot run, " + (prerequisites.met() ? mediaPrerequisites : prerequisites).describe());
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path workDir = Path.of(System.getProperty("metalboot.lab.workdir", ".lab")).toAbsolutePath().normalize()
                .resolve("run-" + stamp);
        System.out.println("lab: building the test disks (kept in vagrant/target between runs)");
        var media = BootMedia.build(BootMedia.labHome());
        var segment = LabNetwork.PROVISIONING;
        try (var network = LabNetwork.create(workDir, false)) {
            System.out.println("lab: network " + network.suffix() + " up (namespaces " + network.hub().name() + ", "
                    + network.site().name() + ", " + network.appliance().name() + "); logs in " + workDir);
            var site = SiteDhcpServer.start(network);
            System.out.println("lab: site DHCP server (dnsmasq) on " + LabNetwork.SITE_ADDRESS + ", pool "
                    + SiteDhcpServer.POOL_START + "-" + SiteDhcpServer.POOL_END);
            var tftp = network.adopt(PacketWatch.start(network.appliance(), segment.applianceInterface(), "udp port 69",
                    workDir.resolve("appliance-tftp.txt")));
            var images = Prerequisites.checkDeployImages();
            if (!images.met()) {
                System.out.println("lab: cannot make the deploy images, " + images.describe());
                return 2;
            }
            System.out.println("lab: the Debian 12 node image (built once, then from the cache)");
            Path vagrantDir = BootMedia.labHome();
            var cloudInitImage = NodeImage.withCloudInit(vagrantDir, workDir.resolve("node-image"));
            var firstBootImage = NodeImage.withoutCloudInit(cloudInitImage, NodeImage.cacheDir(), workDir);
            long gib = 1024L * 1024 * 1024;
            var uefiSpec = MachineSpec.of("uefi", Firmware.UEFI_OWN_PXE, 1).withAgentHardware().withBlankDisks(4 * gib, 3 * gib);
            var biosSpec = MachineSpec.of("bios", Firmware.BIOS_IPXE_ROM, 2).withAgentHardware().withBlankDisks(4 * gib, 3 * gib);
            var cluster = LabCluster.start(network, vagrantDir.getParent(), List.of(
                    new LabCluster.Host("bios-0", biosSpec, firstBootImage, "serialNumber: " + biosSpec.diskSerial(0)),
                    new LabCluster.Host("uefi-0", uefiSpec, cloudInitImage, "deviceName: /dev/vdb")));
            System.out.println("lab: management cluster (fabric8's mock server, CRUD) with a BareMetalHost per machine;"
                    + " the appliance is its Metal³ provisioner");
            var config = ApplianceConfig.debug(segment.applianceInterface(), DhcpMode.OFFER, workDir).withLogLevel("info")
                    .withCatalog(List.of(cloudInitImage, firstBootImage)).withBootstrap(cluster.bootstrapConfig());
            BootMedia.installAgentRamdisk(applianceDir, config.assets());
            ApplianceProcess.start(network, applianceDir, config);
            var api = ApplianceApi.operator(network.appliance(), config.stateDir());
            System.out.println("lab: appliance started on " + segment.applianceAddress() + " (interface "
                    + segment.applianceInterface() + "), the agent ramdisk as its agent");

            // The agent's real peers when this host has them: a switch speaking LLDP, a BMC per machine.
            boolean peers = Prerequisites.checkAgentPeers().met();
            List<String> uefiDevices = List.of();
            List<String> biosDevices = List.of();
            if (peers) {
                LldpSwitch.start(network);
                uefiDevices = IpmiSimBmc.start(network, uefiSpec).qemuArguments();
                biosDevices = IpmiSimBmc.start(network, biosSpec).qemuArguments();
                System.out.println("lab: lldpd speaks LLDP on br0 as " + LldpSwitch.SYSTEM_NAME
                        + "; each machine has a BMC (ipmi_sim)");
            } else {
                System.out.println("lab: no LLDP switch or BMCs (" + Prerequisites.checkAgentPeers().describe() + ")");
            }
            var uefi = QemuMachine.boot(network, segment, uefiSpec, uefiDevices);
            var bios = QemuMachine.boot(network, segment, biosSpec, biosDevices);
            System.out.println("lab: booting uefi (" + uefi.spec().mac() + ") and bios (" + bios.spec().mac()
                    + ") under TCG, each with two blank disks (4, 3 GiB) after its NIC and a second NIC");

            String entryUrl = "http://" + segment.applianceAddress() + ":" + ApplianceConfig.HTTP_PORT + "/boot.ipxe";
            List<Phase> uefiPhases = new ArrayList<>(List.of(
                    new Phase("OVMF started PXE over IPv4", deadline -> uefi.serial()
                            .awaitText("Start PXE over IPv4", deadline.remaining())
                            ? Optional.of("OVMF started PXE over IPv4") : Optional.empty()),
                    addressPhase(site, uefi),
                    new Phase("TFTP RRQ for snponly.efi", deadline -> tftp.packets()
                            .await(packet -> packet.tftpReadRequest().filter("snponly.efi"::equals).isPresent(),
                                    deadline.remaining())
                            .map(packet -> "ProxyDHCP told it to boot snponly.efi (TFTP RRQ seen)"))));
            uefiPhases.addAll(httpBootPhases(api, cluster, uefi, "uefi-0", "Cloud-init v."));
            List<Phase> biosPhases = new ArrayList<>(List.of(
                    new Phase("iPXE ROM started", deadline -> bios.serial()
                            .awaitText("iPXE initialising devices", deadline.remaining())
                            ? Optional.of("iPXE ROM started") : Optional.empty()),
                    addressPhase(site, bios),
                    new Phase("iPXE handed the entry script URL", deadline -> bios.serial()
                            .awaitText(entryUrl, deadline.remaining())
                            ? Optional.of("iPXE handed " + entryUrl) : Optional.empty())));
            biosPhases.addAll(httpBootPhases(api, cluster, bios, "bios-0", "first-boot["));

            boolean complete;
            try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<Boolean> uefiDone = executor.submit(() -> follow("uefi", uefiPhases));
                Future<Boolean> biosDone = executor.submit(() -> follow("bios", biosPhases));
                complete = uefiDone.get() & biosDone.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted", e);
            } catch (ExecutionException e) {
                throw new LabException("observing the VMs failed: " + e.getCause(), e.getCause());
            }
            System.out.println(complete ? "lab: both VMs reached their last phase" : "lab: not every VM reached its last phase; see "
                    + workDir);
            System.out.println("lab: tearing the network down");
            return complete ? 0 : 1;
        }
    }

    /**
     * The phases after the network boot, the same on both firmwares: iPXE fetches the machine's own
     * script, which boots the agent ramdisk; the agent registers and is inspected; the appliance,
     * as Metal³'s provisioner, deploys the host's image; the machine reboots into it, its bootstrap
     * runs ({@code firstBootText} on the console: cloud-init, or metalboot's first-boot unit) and
     * the node reports: joined, and the host shows provisioned.
     */
    private static List<Phase> httpBootPhases(ApplianceApi api, LabCluster cluster, QemuMachine vm, String host,
            String firstBootText) {
        String mac = vm.spec().mac();
        return List.of(
                new Phase("per-machine script", deadline -> vm.serial()
                        .awaitText("/boot/machine.ipxe", deadline.remaining())
                        ? Optional.of("iPXE fetched its per-machine script (/boot/machine.ipxe)") : Optional.empty()),
                new Phase("agent registered", deadline -> vm.serial()
                        .awaitText("metalboot-agent: registered with ", deadline.remaining())
                        ? Optional.of("the agent registered with its boot token, %.1f s after power-on"
                                .formatted(vm.sincePowerOn().toMillis() / 1000.0)) : Optional.empty()),
                statePhase(api, vm, "available", "inspected: available, the host has status.hardware"),
                statePhase(api, vm, "provisioned", "deployed by the appliance from the host's spec.image"),
                new Phase("booted the written disk", deadline -> vm.serial().awaitText(firstBootText, deadline.remaining())
                        ? Optional.of("booted the written OS, its bootstrap running (" + firstBootText + "), %.1f s"
                                .formatted(vm.sincePowerOn().toMillis() / 1000.0)) : Optional.empty()),
                new Phase("joined", deadline -> statePhase(api, vm, "joined", "").observe().apply(deadline)
                        .map(seen -> "the node reported joined, %.1f s after power-on; BareMetalHost %s: %s".formatted(
                                vm.sincePowerOn().toMillis() / 1000.0, host,
                                cluster.host(host).at("/status/provisioning/state").asText()))));
    }

    /** Waits for the machine's state; a failed machine ends the wait (its reason printed). */
    private static Phase statePhase(ApplianceApi api, QemuMachine vm, String state, String what) {
        return new Phase(state, deadline -> {
            while (!deadline.remaining().isZero()) {
                var machine = api.machine(vm.spec().mac());
                String now = machine.field("state").orElse("");
                if (now.equals(state)) {
                    return Optional.of(what + " (%.1f s after power-on)".formatted(vm.sincePowerOn().toMillis() / 1000.0));
                }
                if (now.equals("failed")) {
                    System.out.println("[" + vm.spec().name() + "] failed: " + machine.body().strip());
                    return Optional.empty();
                }
                Deadline.pause(Duration.ofMillis(500), "waiting for " + state);
            }
            return Optional.empty();
        });
    }

    private static Phase addressPhase(SiteDhcpServer site, QemuMachine vm) {
        return new Phase("address from site DHCP", deadline -> site.awaitAck(vm.spec().mac(), deadline.remaining())
                .map(address -> "got address " + address + " from site DHCP"));
    }

    /** Waits for each phase in turn within one budget; prints each as reached, then the last one reached. */
    private static boolean follow(String label, List<Phase> phases) {
        var deadline = Deadline.in(VM_BUDGET);
        int reached = 0;
        for (Phase phase : phases) {
            Optional<String> seen = phase.observe().apply(deadline);
            if (seen.isEmpty()) {
                String why = deadline.remaining().isZero() ? "within " + VM_BUDGET.toSeconds() + " s" : "the lab was stopped";
                System.out.println("[" + label + "] did not reach: " + phase.name() + " (" + why + ")");
                break;
            }
            System.out.println("[" + label + "] " + seen.get());
            reached++;
        }
        String last = reached == 0 ? "none" : phases.get(reached - 1).name();
        System.out.println("[" + label + "] last phase reached: " + last + " (" + reached + "/" + phases.size() + ")");
        return reached == phases.size();
    }
}
