package io.metalboot.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
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
 * machine inspected ({@code available}); then the lab asks each agent to power its machine off,
 * marks the machine provisioned through the API, powers it on again and sees it boot its own disk.
 * Exit status: 0 when both VMs reached their last phase, 1 when not, 2 when the lab could not be set up.
 * <p>
 * System properties: {@code metalboot.appliance.dir} (default {@code pxe-server/target/appliance}),
 * {@code metalboot.lab.workdir} (default {@code .lab}; each run writes its logs to a new directory there).
 */
public final class LabMain {
    /** Network boot, the agent, power cycle and disk boot, under TCG with two VMs on two cores. */
    private static final Duration VM_BUDGET = Duration.ofSeconds(360);

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
            var config = ApplianceConfig.debug(segment.applianceInterface(), DhcpMode.OFFER, workDir).withLogLevel("info");
            BootMedia.installAgentRamdisk(applianceDir, config.assets());
            ApplianceProcess.start(network, applianceDir, config);
            var api = ApplianceApi.operator(network.appliance(), config.stateDir());
            System.out.println("lab: appliance started on " + segment.applianceAddress() + " (interface "
                    + segment.applianceInterface() + "), the agent ramdisk as its agent");

            var uefiSpec = MachineSpec.of("uefi", Firmware.UEFI_OWN_PXE, 1).withDisk(media.uefiDisk()).withAgentHardware(2560);
            var biosSpec = MachineSpec.of("bios", Firmware.BIOS_IPXE_ROM, 2).withDisk(media.biosDisk()).withAgentHardware(1536);
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
                    + ") under TCG, each with a test disk after its NIC, a blank second disk and a second NIC");

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
            uefiPhases.addAll(httpBootPhases(network, api, uefi, uefiDevices));
            List<Phase> biosPhases = new ArrayList<>(List.of(
                    new Phase("iPXE ROM started", deadline -> bios.serial()
                            .awaitText("iPXE initialising devices", deadline.remaining())
                            ? Optional.of("iPXE ROM started") : Optional.empty()),
                    addressPhase(site, bios),
                    new Phase("iPXE handed the entry script URL", deadline -> bios.serial()
                            .awaitText(entryUrl, deadline.remaining())
                            ? Optional.of("iPXE handed " + entryUrl) : Optional.empty())));
            biosPhases.addAll(httpBootPhases(network, api, bios, biosDevices));

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
     * script, which boots the agent ramdisk; the agent registers and is inspected; the lab asks it to
     * power the machine off, marks the machine provisioned and powers it on again: now it must boot
     * its disk.
     */
    private static List<Phase> httpBootPhases(LabNetwork network, ApplianceApi api, QemuMachine firstRun,
            List<String> devices) {
        String mac = firstRun.spec().mac();
        String label = firstRun.spec().name();
        return List.of(
                new Phase("per-machine script", deadline -> firstRun.serial()
                        .awaitText("/boot/machine.ipxe", deadline.remaining())
                        ? Optional.of("iPXE fetched its per-machine script (/boot/machine.ipxe)") : Optional.empty()),
                new Phase("agent registered", deadline -> firstRun.serial()
                        .awaitText("metalboot-agent: registered with ", deadline.remaining())
                        ? Optional.of("the agent registered with its boot token, %.1f s after power-on"
                                .formatted(firstRun.sincePowerOn().toMillis() / 1000.0)) : Optional.empty()),
                new Phase("inspected", deadline -> {
                    while (!deadline.remaining().isZero()) {
                        if ("available".equals(api.machine(mac).field("state").orElse(null))) {
                            var inventory = api.inventory(mac);
                            return Optional.of("inspected: available, inventory of " + inventory.body().length()
                                    + " bytes (boot mode " + inventory.field("current_boot_mode").orElse("?")
                                    + ", pxe_interface " + inventory.field("pxe_interface").orElse("?")
                                    + ", LLDP system name " + inventory.field("system_name").orElse("none")
                                    + ", BMC " + inventory.field("bmc_address").orElse("none") + ")");
                        }
                        Deadline.pause(Duration.ofMillis(500), "waiting for the inspection");
                    }
                    return Optional.empty();
                }),
                new Phase("powered off by its agent", deadline -> {
                    var reply = api.requestAction(mac, "power-off");
                    if (reply.status() != 200) {
                        System.out.println("[" + label + "] the API refused power-off: HTTP " + reply.status() + " "
                                + reply.body().strip());
                        return Optional.empty();
                    }
                    return firstRun.awaitPowerOff(deadline.remaining())
                            ? Optional.of("the agent powered the machine off when asked through the API") : Optional.empty();
                }),
                new Phase("marked provisioned", deadline -> {
                    var reply = api.setState(mac, "provisioned", "lab: " + label + " was inspected");
                    if (reply.status() != 200) {
                        System.out.println("[" + label + "] the API refused: HTTP " + reply.status() + " " + reply.body().strip());
                        return Optional.empty();
                    }
                    return Optional.of("marked provisioned through the API (HTTP 200); powering it on again");
                }),
                new Phase("disk marker", deadline -> {
                    var secondRun = QemuMachine.boot(network, LabNetwork.PROVISIONING, firstRun.spec(), devices);
                    String marker = BootMedia.DISK_MARKER + " " + (firstRun.spec().firmware() == Firmware.UEFI_OWN_PXE ? "uefi" : "bios");
                    return secondRun.serial().awaitText(marker, deadline.remaining())
                            ? Optional.of("booted its local disk (" + marker + ")") : Optional.empty();
                }));
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
