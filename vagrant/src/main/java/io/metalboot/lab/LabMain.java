package io.metalboot.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The lab in one command: builds a private provisioning network, starts dnsmasq as the site DHCP
 * server and the built appliance as the ProxyDHCP, boots one UEFI VM (OVMF's own PXE) and one BIOS VM
 * (QEMU's iPXE ROM) side by side and prints each phase of their network boot as it is seen.
 * Exit status: 0 when both VMs reached their last phase, 1 when not, 2 when the lab could not be set up.
 * <p>
 * System properties: {@code metalboot.appliance.dir} (default {@code pxe-server/target/appliance}),
 * {@code metalboot.lab.workdir} (default {@code .lab}; each run writes its logs to a new directory there).
 */
public final class LabMain {
    private static final Duration VM_BUDGET = Duration.ofSeconds(90);

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
        if (!prerequisites.met()) {
            System.out.println("lab: cannot run, " + prerequisites.describe());
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path workDir = Path.of(System.getProperty("metalboot.lab.workdir", ".lab")).toAbsolutePath().normalize()
                .resolve("run-" + stamp);
        var segment = LabNetwork.PROVISIONING;
        try (var network = LabNetwork.create(workDir, false)) {
            System.out.println("lab: network " + network.suffix() + " up (namespaces " + network.hub().name() + ", "
                    + network.site().name() + ", " + network.appliance().name() + "); logs in " + workDir);
            var site = SiteDhcpServer.start(network);
            System.out.println("lab: site DHCP server (dnsmasq) on " + LabNetwork.SITE_ADDRESS + ", pool "
                    + SiteDhcpServer.POOL_START + "-" + SiteDhcpServer.POOL_END);
            var tftp = network.adopt(PacketWatch.start(network.appliance(), segment.applianceInterface(), "udp port 69",
                    workDir.resolve("appliance-tftp.txt")));
            ApplianceProcess.start(network, applianceDir,
                    new ApplianceConfig("info", segment.applianceInterface(), DhcpMode.OFFER));
            System.out.println("lab: appliance started on " + segment.applianceAddress() + " (interface "
                    + segment.applianceInterface() + ")");

            var uefi = QemuMachine.boot(network, segment, MachineSpec.of("uefi", Firmware.UEFI_OWN_PXE, 1));
            var bios = QemuMachine.boot(network, segment, MachineSpec.of("bios", Firmware.BIOS_IPXE_ROM, 2));
            System.out.println("lab: booting uefi (" + uefi.spec().mac() + ") and bios (" + bios.spec().mac() + ") under TCG");

            String url = "http://" + segment.applianceAddress() + ":8080/boot.ipxe?mac=" + bios.spec().mac();
            List<Phase> uefiPhases = List.of(
                    new Phase("OVMF started PXE over IPv4", deadline -> uefi.serial()
                            .awaitText("Start PXE over IPv4", deadline.remaining())
                            ? Optional.of("OVMF started PXE over IPv4") : Optional.empty()),
                    addressPhase(site, uefi),
                    new Phase("TFTP RRQ for snponly.efi", deadline -> tftp.packets()
                            .await(packet -> packet.tftpReadRequest().isPresent(), deadline.remaining())
                            .flatMap(CapturedPacket::tftpReadRequest)
                            .filter("snponly.efi"::equals)
                            .map(file -> "ProxyDHCP told it to boot " + file + " (TFTP RRQ seen)")));
            List<Phase> biosPhases = List.of(
                    new Phase("iPXE ROM started", deadline -> bios.serial()
                            .awaitText("iPXE initialising devices", deadline.remaining())
                            ? Optional.of("iPXE ROM started") : Optional.empty()),
                    addressPhase(site, bios),
                    new Phase("iPXE handed the script URL", deadline -> bios.serial().awaitText(url, deadline.remaining())
                            ? Optional.of("iPXE handed " + url) : Optional.empty()));

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
