package io.metalboot.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.metalboot.lab.storm.StormReport;
import io.metalboot.lab.storm.StormScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Boot storms against the packaged appliance or the dnsmasq peer, in one lab network: no site DHCP
 * server (the storm's machines take no address), the generator in a namespace of its own on br0
 * ({@value #STORM_ADDRESS}, one MAC for its NIC, every machine's MAC only in its DHCP chaddr).
 * Each storm gets a fresh server (a fresh registry): started, measured idle, stormed, measured at
 * its peak, stopped; only one server runs at a time, so the other never answers a storm's
 * broadcasts.
 *
 * <p>The appliance's config differs from a scenario's in two ways, both because one namespace
 * plays every machine: the generator's address needs only {@code pxe-dhcp} boot evidence (its
 * kernel neighbour table can hold one MAC for its one address, not 1,000, so the default
 * {@code neighbour} check would refuse every machine but none), and logging is at {@code info}
 * (the packaged default; a debug line per packet would measure the log).
 */
final class BootStormRun implements AutoCloseable {
    static final String STORM_ADDRESS = LabNetwork.PROVISIONING.host(50);
    private static final String STORM_MAC = "52:54:10:ff:ff:01";
    /** What the .deb's systemd unit gives the appliance's JVM. */
    static final List<String> UNIT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData");
    static final String BOOT_FILE = "snponly.efi";
    static final String KERNEL_PATH = "/assets/agent/vmlinuz";
    static final String INITRD_PATH = "/assets/agent/initrd.img";
    /** {@code boot.attempts}'s default, which the entry and agent scripts carry. */
    private static final int ATTEMPTS = 6;
    /** The appliance settles this long after it started before its idle memory is read. */
    private static final Duration SETTLE = Duration.ofSeconds(5);

    /** One storm: its report, the server's memory idle and at the storm's end, the registry's machines after it. */
    record Result(String label, StormReport report, ProcessMemory idle, ProcessMemory peak, int registered, Path runDir) {
    }

    private final LabNetwork network;
    private final Namespace storm;
    private final PackagedAppliance packaged;
    private final Path assets;
    private final String logLevel;
    private int runs;

    private BootStormRun(LabNetwork network, Namespace storm, PackagedAppliance packaged, Path assets, String logLevel) {
        this.network = network;
        this.storm = storm;
        this.packaged = packaged;
        this.assets = assets;
        this.logLevel = logLevel;
    }

    static BootStormRun create(Path workDir, PackagedAppliance packaged) {
        return create(workDir, packaged, "info");
    }

    /** @param logLevel the appliance's {@code log-level} ({@code debug} to see why a connection closed) */
    static BootStormRun create(Path workDir, PackagedAppliance packaged, String logLevel) {
        var network = LabNetwork.create(workDir, false);
        try {
            Namespace storm = network.addHost("storm", STORM_MAC);
            storm.ip("addr", "add", STORM_ADDRESS + "/24", "dev", "eth0");
            // DISCOVERs go to the limited broadcast address; with no default route the kernel needs this one.
            storm.ip("route", "add", "255.255.255.255/32", "dev", "eth0");
            Path assets = workDir.resolve("assets");
            BootMedia.installAgentRamdisk(packaged, assets);
            return new BootStormRun(network, storm, packaged, assets, logLevel);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    LabNetwork network() {
        return network;
    }

    String baseUrl() {
        return "http://" + LabNetwork.PROVISIONING.applianceAddress() + ":" + ApplianceConfig.HTTP_PORT;
    }

    Path agentFile(String name) {
        return assets.resolve("agent").resolve(name);
    }

    /** A storm against a fresh appliance started with {@code jvmOptions}. */
    Result appliance(int machines, StormScope scope, List<String> jvmOptions, Duration deadline) throws IOException {
        Path runDir = nextRunDir("appliance-" + scope.wireName() + "-" + machines);
        ApplianceConfig config = ApplianceConfig.debug(LabNetwork.PROVISIONING.applianceInterface(), DhcpMode.OFFER, runDir)
                .withLogLevel(logLevel)
                .withDirectories(runDir.resolve("state"), assets)
                .withEvidenceNetworks(List.of("{cidr: " + STORM_ADDRESS + "/32, require: [pxe-dhcp]}"));
        String label = "appliance" + (jvmOptions.isEmpty() ? "" : " " + String.join(" ", jvmOptions));
        List<String> options = new ArrayList<>(UNIT_JVM_OPTIONS);
        options.addAll(jvmOptions);
        try (ApplianceProcess appliance = ApplianceProcess.start(network, packaged, config, runDir, options)) {
            sleep(SETTLE);
            ProcessMemory idle = ProcessMemory.of(appliance.pid());
            StormReport report = generate(runDir, label, machines, scope, deadline);
            if (!appliance.isAlive()) {
                throw new LabException("the appliance exited during the storm:\n" + appliance.log().tail(30));
            }
            ProcessMemory peak = ProcessMemory.of(appliance.pid());
            int registered = -1;
            if (scope == StormScope.FULL) {
                var api = ApplianceApi.operator(network.appliance(), config.stateDir());
                var reply = api.get("/api/v1/machines");
                if (reply.status() != 200) {
                    throw new LabException("GET /api/v1/machines answered " + reply);
                }
                registered = new ObjectMapper().readTree(reply.body()).size();
            }
            return new Result(label, report, idle, peak, registered, runDir);
        }
    }

    /** The DHCP and TFTP steps of a storm against dnsmasq (proxy + TFTP) serving the same boot file. */
    Result peer(int machines, Duration deadline) throws IOException {
        Path runDir = nextRunDir("dnsmasq-" + machines);
        try (PeerProxyDhcp peer = PeerProxyDhcp.start(network, packaged.ipxe(), runDir)) {
            sleep(SETTLE);
            ProcessMemory idle = ProcessMemory.of(peer.pid());
            StormReport report = generate(runDir, "dnsmasq", machines, StormScope.DHCP_TFTP, deadline);
            if (!peer.isAlive()) {
                throw new LabException("dnsmasq exited during the storm:\n" + peer.log().tail(30));
            }
            return new Result("dnsmasq", report, idle, ProcessMemory.of(peer.pid()), -1, runDir);
        }
    }

    /**
     * A storm with no server running: nothing answers, so the generator can only end by its own
     * deadline (every machine a failure in its first step).
     */
    StormReport unanswered(int machines, Duration deadline) throws IOException {
        return generate(nextRunDir("unanswered-" + machines), "nobody", machines, StormScope.DHCP_TFTP, deadline);
    }

    /** Runs the generator in the storm namespace; it stops itself at {@code deadline}. */
    private StormReport generate(Path runDir, String label, int machines, StormScope scope, Duration deadline)
            throws IOException {
        Path report = runDir.resolve("storm-report.json");
        List<String> argv = new ArrayList<>(List.of(ApplianceProcess.javaBinary(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), "io.metalboot.lab.storm.BootStorm",
                "--machines", Integer.toString(machines), "--scope", scope.wireName(),
                "--deadline", Long.toString(deadline.toSeconds()), "--report", report.toString(), "--target", label,
                "--client-address", STORM_ADDRESS,
                "--boot-file", BOOT_FILE + "=" + packaged.ipxe().resolve(BOOT_FILE)));
        if (scope == StormScope.FULL) {
            argv.addAll(List.of("--base-url", baseUrl(), "--attempts", Integer.toString(ATTEMPTS),
                    "--agent-args", ApplianceConfig.LAB_AGENT_ARGS,
                    "--kernel", KERNEL_PATH + "=" + agentFile("vmlinuz"),
                    "--initrd", INITRD_PATH + "=" + agentFile("initrd.img")));
        }
        Files.deleteIfExists(report);
        try (ChildProcess generator = ChildProcess.start("storm", storm.exec(argv), runDir.resolve("storm.log"))) {
            // Its own deadline ends it; this wait only covers a generator that could not stop itself.
            if (!generator.awaitExit(deadline.plus(Duration.ofMinutes(2)))) {
                throw new LabException("the storm generator did not stop itself after its deadline:\n"
                        + generator.lines().tail(20));
            }
            if (!Files.isRegularFile(report)) {
                throw new LabException("the storm generator wrote no report:\n" + generator.lines().tail(30));
            }
        }
        return new ObjectMapper().readValue(report.toFile(), StormReport.class);
    }

    private Path nextRunDir(String name) {
        return network.workDir().resolve("%02d-%s".formatted(++runs, name));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    @Override
    public void close() {
        network.close();
    }
}
