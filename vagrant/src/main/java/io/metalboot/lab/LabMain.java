package io.metalboot.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The lab in one command: builds a private provisioning network, starts dnsmasq as the site DHCP
 * server and the packaged appliance (the .deb's own runtime, jar and agent ramdisk:
 * {@link PackagedAppliance}), boots one UEFI VM (OVMF's own PXE) and one BIOS VM (QEMU's iPXE ROM)
 * side by side and prints each phase of their boot as it is seen: network boot, per-machine
 * script, the agent registered, the machine inspected ({@code available}); then the appliance, as
 * Metal³'s provisioner for the lab's mock management cluster ({@link LabCluster}), deploys each
 * BareMetalHost's image (the Debian node image, {@link NodeImage}: with cloud-init for the UEFI
 * machine, which gets a config drive; without for the BIOS one, which runs the compiled first-boot
 * bootstrap) by its root-device hint; the machine reboots into it, runs its join and its node
 * reports: {@code joined}. At the end a table: each machine, its firmware, each phase's duration,
 * its final state. A machine that misses a phase is named with the phase, with the last lines of
 * its serial console and of the appliance's log.
 * <p>
 * Everything is torn down at the end, on failure and on Ctrl-C (the network's shutdown hook),
 * unless {@code --keep}: then it stays up for the operator CLI until {@code --teardown}.
 * Exit status: 0 when every VM reached its last phase, 1 when not, 2 when the lab could not be set
 * up (or a usage error).
 * <p>
 * Options: {@code --machines bios,uefi} (which of the two to boot), {@code --keep}, {@code --teardown}.
 * System properties: {@code metalboot.deb.file} (default {@code packaging/target/metalboot_amd64.deb}),
 * {@code metalboot.lab.workdir} (default {@code .lab}; each run writes its logs to a new directory there).
 */
public final class LabMain {
    /** Network boot, the agent, a deploy, the reboot, the OS's boot and its join, under TCG with two VMs on two cores. */
    private static final Duration VM_BUDGET = Duration.ofSeconds(660);

    /**
     * One observable step of a VM's boot: its column in the report, its name, and the observer
     * that waits until the deadline and says what it saw.
     */
    private record Phase(String column, String name, Function<Deadline, Optional<String>> observe) {
    }

    /** The report's phase columns, the same for both firmwares. */
    private static final List<String> COLUMNS = List.of("pxe", "dhcp", "ipxe", "script", "agent", "inspected",
            "deployed", "disk boot", "joined");

    /** What one machine reached: the seconds after power-on at which each phase was seen, and its state at the end. */
    private record Outcome(String machine, Firmware firmware, Map<String, Double> reachedAt, int phases, String state) {
        boolean complete() {
            return reachedAt.size() == phases;
        }
    }

    /** Set by the shutdown hook when the lab is stopped (Ctrl-C, SIGTERM) before it finished. */
    private static final AtomicBoolean STOPPING = new AtomicBoolean();
    private static final AtomicBoolean FINISHED = new AtomicBoolean();

    private static final String USAGE = "usage: run-lab.sh [--machines bios,uefi] [--keep] | --teardown";

    /** The command line. */
    private record Options(boolean bios, boolean uefi, boolean keep, boolean teardown) {
        static Options parse(String[] args) {
            boolean bios = true;
            boolean uefi = true;
            boolean keep = false;
            boolean teardown = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--keep" -> keep = true;
                    case "--teardown" -> teardown = true;
                    case "--machines" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--machines needs a list: bios, uefi or bios,uefi");
                        }
                        List<String> names = List.of(args[++i].split(","));
                        if (names.isEmpty() || !List.of("bios", "uefi").containsAll(names)) {
                            throw new IllegalArgumentException("--machines takes bios, uefi or bios,uefi, not " + args[i]);
                        }
                        bios = names.contains("bios");
                        uefi = names.contains("uefi");
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            return new Options(bios, uefi, keep, teardown);
        }
    }

    private LabMain() {
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.out.println("lab: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        if (options.teardown()) {
            int removed = LabNetwork.teardownKept();
            System.out.println("lab: tore down " + removed + " kept lab network" + (removed == 1 ? "" : "s")
                    + " (their VMs, dnsmasq, the appliance, the mock cluster, their namespaces)");
            System.exit(0);
        }
        // Ctrl-C: the network's own shutdown hook tears everything down; this one only says so, and
        // keeps what the interrupted observers then report from reading as the lab's failure.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!FINISHED.get()) {
                STOPPING.set(true);
                System.out.println("lab: stopped: tearing the lab down");
            }
        }, "lab-stopping"));
        int status;
        try {
            status = run(options);
        } catch (LabException e) {
            if (STOPPING.get()) {
                return;
            }
            System.out.println("lab: " + e.getMessage());
            status = 2;
        }
        FINISHED.set(true);
        System.exit(status);
    }

    private static int run(Options options) {
        Path deb = PackagedAppliance.debFile(Path.of("").toAbsolutePath());
        var prerequisites = Prerequisites.check(deb);
        var mediaPrerequisites = Prerequisites.checkBootMedia();
        if (!prerequisites.met() || !mediaPrerequisites.met()) {
            System.out.println("lab: cannot run, " + (prerequisites.met() ? mediaPrerequisites : prerequisites).describe());
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path workDir = Path.of(System.getProperty("metalboot.lab.workdir", ".lab")).toAbsolutePath().normalize()
                .resolve("run-" + stamp);
        Path labRoot = workDir.getParent();
        var packaged = PackagedAppliance.unpack(deb, labRoot.resolve("packaged-appliance"));
        System.out.println("lab: the appliance as packaged: " + deb + ", unpacked into " + packaged.root());
        System.out.println("lab: building the test disks (kept in vagrant/target between runs)");
        var media = BootMedia.build(BootMedia.labHome());
        var segment = LabNetwork.PROVISIONING;
        var network = LabNetwork.create(workDir, false);
        try {
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
            BootMedia.installAgentRamdisk(packaged, config.assets());
            var appliance = ApplianceProcess.start(network, packaged, config);
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
            List<QemuMachine> vms = new ArrayList<>();
            Map<QemuMachine, List<Phase>> phases = new LinkedHashMap<>();
            String entryUrl = "http://" + segment.applianceAddress() + ":" + ApplianceConfig.HTTP_PORT + "/boot.ipxe";
            if (options.uefi()) {
                var uefi = QemuMachine.boot(network, segment, uefiSpec, uefiDevices);
                List<Phase> uefiPhases = new ArrayList<>(List.of(
                        new Phase("pxe", "OVMF started PXE over IPv4", deadline -> uefi.serial()
                                .awaitText("Start PXE over IPv4", deadline.remaining())
                                ? Optional.of("OVMF started PXE over IPv4") : Optional.empty()),
                        addressPhase(site, uefi),
                        new Phase("ipxe", "TFTP RRQ for snponly.efi", deadline -> tftp.packets()
                                .await(packet -> packet.tftpReadRequest().filter("snponly.efi"::equals).isPresent(),
                                        deadline.remaining())
                                .map(packet -> "ProxyDHCP told it to boot snponly.efi (TFTP RRQ seen)"))));
                uefiPhases.addAll(httpBootPhases(api, cluster, uefi, "uefi-0", "Cloud-init v."));
                phases.put(uefi, uefiPhases);
            }
            if (options.bios()) {
                var bios = QemuMachine.boot(network, segment, biosSpec, biosDevices);
                List<Phase> biosPhases = new ArrayList<>(List.of(
                        new Phase("pxe", "iPXE ROM started", deadline -> bios.serial()
                                .awaitText("iPXE initialising devices", deadline.remaining())
                                ? Optional.of("iPXE ROM started") : Optional.empty()),
                        addressPhase(site, bios),
                        new Phase("ipxe", "iPXE handed the entry script URL", deadline -> bios.serial()
                                .awaitText(entryUrl, deadline.remaining())
                                ? Optional.of("iPXE handed " + entryUrl) : Optional.empty())));
                biosPhases.addAll(httpBootPhases(api, cluster, bios, "bios-0", "first-boot["));
                phases.put(bios, biosPhases);
            }
            vms.addAll(phases.keySet());
            System.out.println("lab: booting " + String.join(" and ", vms.stream().map(vm -> vm.spec().name() + " ("
                    + vm.spec().mac() + ")").toList()) + " under TCG, each with two blank disks (4, 3 GiB) after its NIC and a second NIC");

            List<Outcome> outcomes = new ArrayList<>();
            try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Outcome>> followed = new ArrayList<>();
                for (var entry : phases.entrySet()) {
                    followed.add(executor.submit(() -> follow(entry.getKey(), entry.getValue(), api, appliance)));
                }
                for (Future<Outcome> outcome : followed) {
                    outcomes.add(outcome.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted", e);
            } catch (ExecutionException e) {
                throw new LabException("observing the VMs failed: " + e.getCause(), e.getCause());
            }
            boolean complete = outcomes.stream().allMatch(Outcome::complete);
            System.out.println();
            System.out.print(report(outcomes));
            System.out.println();
            System.out.println(complete ? "lab: every VM reached its last phase" : "lab: not every VM reached its last phase; see "
                    + workDir);
            if (options.keep()) {
                network.keep();
                System.out.println("lab: kept running (namespaces " + network.hub().name() + ", " + network.site().name()
                        + ", " + network.appliance().name() + ", ...). The packaged operator CLI, from the appliance's namespace:");
                System.out.println("  ip netns exec " + network.appliance().name() + " " + packaged.java() + " -jar "
                        + packaged.root().resolve("usr/share/metalboot/cli/metalboot-cli.jar") + " --state-dir "
                        + config.stateDir() + " machines list");
                System.out.println("lab: tear it down with: vagrant/run-lab.sh --teardown");
            } else {
                System.out.println("lab: tearing the network down");
            }
            return complete ? 0 : 1;
        } finally {
            network.close();
        }
    }

    /** The table: a row per machine, its firmware, each phase's duration in seconds, the total, its final state. */
    static String report(List<Outcome> outcomes) {
        List<String> header = new ArrayList<>(List.of("machine", "firmware"));
        header.addAll(COLUMNS);
        header.addAll(List.of("total", "final state"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (Outcome outcome : outcomes) {
            List<String> row = new ArrayList<>(List.of(outcome.machine(), switch (outcome.firmware()) {
                case UEFI_OWN_PXE -> "UEFI (OVMF PXE)";
                case BIOS_IPXE_ROM -> "BIOS (iPXE ROM)";
            }));
            // A console line can be read after a later phase's transition was stored: no phase is
            // reported later than the one after it.
            Map<String, Double> at = new LinkedHashMap<>(outcome.reachedAt());
            Double next = null;
            for (String column : COLUMNS.reversed()) {
                if (at.containsKey(column)) {
                    next = next == null ? at.get(column) : Math.min(at.get(column), next);
                    at.put(column, next);
                }
            }
            double previous = 0;
            double last = 0;
            for (String column : COLUMNS) {
                Double reached = at.get(column);
                row.add(reached == null ? "-" : "%.1f".formatted(reached - previous));
                if (reached != null) {
                    previous = reached;
                    last = reached;
                }
            }
            row.add("%.1f".formatted(last));
            row.add(outcome.state());
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder table = new StringBuilder("lab: seconds per phase (each from the one before; total from power-on)\n");
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(i < 2 || i == row.size() - 1 ? String.format("%-" + widths[i] + "s", cell)
                        : String.format("%" + widths[i] + "s", cell));
                line.append(i == row.size() - 1 ? "" : "  ");
            }
            table.append(line.toString().stripTrailing()).append('\n');
        }
        return table.toString();
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
                new Phase("script", "per-machine script", deadline -> vm.serial()
                        .awaitText("/boot/machine.ipxe", deadline.remaining())
                        ? Optional.of("iPXE fetched its per-machine script (/boot/machine.ipxe)") : Optional.empty()),
                // Registering is what moves it to inspecting: the time is that transition's.
                statePhase("agent", api, vm, "inspecting", "the agent registered with its boot token, inspecting"),
                statePhase("inspected", api, vm, "available", "inspected: available, the host has status.hardware"),
                statePhase("deployed", api, vm, "provisioned", "deployed by the appliance from the host's spec.image"),
                new Phase("disk boot", "booted the written disk", deadline -> vm.serial().awaitText(firstBootText, deadline.remaining())
                        ? Optional.of("booted the written OS, its bootstrap running (" + firstBootText + "), %.1f s"
                                .formatted(vm.sincePowerOn().toMillis() / 1000.0)) : Optional.empty()),
                new Phase("joined", "joined", deadline -> statePhase("joined", api, vm, "joined", "").observe().apply(deadline)
                        .map(seen -> "the node reported joined, %.1f s after power-on; BareMetalHost %s: %s".formatted(
                                vm.sincePowerOn().toMillis() / 1000.0, host,
                                cluster.host(host).at("/status/provisioning/state").asText()))));
    }

    /** The lifecycle's order: a machine seen past a state has been in it (the Metal³ provisioner moves on at once). */
    private static final List<String> LIFECYCLE = List.of("discovered", "inspecting", "available", "provisioning",
            "provisioned", "joined");

    /**
     * Waits for the machine to reach {@code state} or a later one; the time is its transition's in
     * the machine's history, not when the poll saw it. A failed machine ends the wait (its reason printed).
     */
    private static Phase statePhase(String column, ApplianceApi api, QemuMachine vm, String state, String what) {
        return new Phase(column, state, deadline -> {
            while (!deadline.remaining().isZero()) {
                var machine = api.machine(vm.spec().mac());
                String now = machine.field("state").orElse("");
                if (LIFECYCLE.contains(now) && LIFECYCLE.indexOf(now) >= LIFECYCLE.indexOf(state)) {
                    double at = transitionSeconds(api, vm, state);
                    return Optional.of(what + " (%.1f s after power-on)".formatted(at)).map(seen -> {
                        TRANSITION_AT.put(vm.spec().name() + "/" + state, at);
                        return seen;
                    });
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

    /** Seconds after the VM's power-on at which its history says it entered {@code state} (now, if it does not say). */
    private static double transitionSeconds(ApplianceApi api, QemuMachine vm, String state) {
        Instant powerOn = Instant.now().minus(vm.sincePowerOn());
        try {
            for (JsonNode transition : JSON.readTree(api.get("/api/v1/machines/" + vm.spec().mac() + "/history").body())) {
                if (transition.path("to").asText().equals(state)) {
                    return Duration.between(powerOn, Instant.parse(transition.path("at").asText())).toMillis() / 1000.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no history to read: the poll's time is the next best
        }
        return vm.sincePowerOn().toMillis() / 1000.0;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A state phase's time from the history, by "machine/state", for the report. */
    private static final Map<String, Double> TRANSITION_AT = new java.util.concurrent.ConcurrentHashMap<>();

    private static Phase addressPhase(SiteDhcpServer site, QemuMachine vm) {
        return new Phase("dhcp", "address from site DHCP", deadline -> site.awaitAck(vm.spec().mac(), deadline.remaining())
                .map(address -> "got address " + address + " from site DHCP"));
    }

    /**
     * Waits for each phase in turn within one budget; prints each as reached, then the last one
     * reached. A phase missed is named with the machine, and the last lines of its serial console
     * and of the appliance's log are printed.
     */
    private static Outcome follow(QemuMachine vm, List<Phase> phases, ApplianceApi api, ApplianceProcess appliance) {
        String label = vm.spec().name();
        var deadline = Deadline.in(VM_BUDGET);
        Map<String, Double> reachedAt = new LinkedHashMap<>();
        for (Phase phase : phases) {
            Optional<String> seen = phase.observe().apply(deadline);
            if (seen.isEmpty() && STOPPING.get()) {
                break;
            }
            if (seen.isEmpty()) {
                String why = deadline.remaining().isZero() ? "within " + VM_BUDGET.toSeconds() + " s" : "the lab was stopped";
                StringBuilder failure = new StringBuilder("lab: FAILED: " + label + " (" + vm.spec().firmware()
                        + ") did not reach the phase \"" + phase.name() + "\" (" + why + ")\n");
                failure.append("--- the last ").append(TAIL).append(" lines of ").append(label).append("'s serial console (")
                        .append(vm.serial().file()).append("):\n").append(vm.serial().lines().tail(TAIL));
                failure.append("--- the last ").append(TAIL).append(" lines of the appliance's log:\n")
                        .append(appliance.log().tail(TAIL));
                System.out.print(failure.toString().endsWith("\n") ? failure : failure + "\n");
                break;
            }
            reachedAt.put(phase.column(), TRANSITION_AT.getOrDefault(label + "/" + phase.name(),
                    vm.sincePowerOn().toMillis() / 1000.0));
            System.out.println("[" + label + "] " + seen.get());
        }
        String last = reachedAt.isEmpty() ? "none" : phases.get(reachedAt.size() - 1).name();
        System.out.println("[" + label + "] last phase reached: " + last + " (" + reachedAt.size() + "/" + phases.size() + ")");
        var machine = api.machine(vm.spec().mac());
        String state = machine.status() == 200 ? machine.field("state").orElse("?") : "not registered";
        return new Outcome(label, vm.spec().firmware(), reachedAt, phases.size(), state);
    }

    /** Lines of a console or log printed with a failure. */
    private static final int TAIL = 25;
}
