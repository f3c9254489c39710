package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.opentest4j.AssertionFailedError;

/**
 * One integration scenario's lab: its own network, the site DHCP server, the ProxyDHCP under test
 * and whatever the test adds; all of it is torn down by {@link #close()}. Failure messages carry
 * the tails of every log and the directory where the full logs stay.
 */
final class LabScenario implements AutoCloseable {
    /** Everything one VM must do, under TCG, in one scenario. */
    static final Duration VM_BUDGET = Duration.ofSeconds(90);
    private final LabNetwork network;
    private final SiteDhcpServer site;
    private final List<Object> observed = new ArrayList<>();
    private final java.util.Map<String, IpmiSimBmc> bmcs = new java.util.HashMap<>();
    private ApplianceProcess proxy;
    private ApplianceConfig applianceConfig;
    private static BootMedia media;

    private LabScenario(LabNetwork network, SiteDhcpServer site) {
        this.network = network;
        this.site = site;
    }

    static LabScenario start(String name, boolean isolatedSegment) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
        Path workDir = LabRequirements.workRoot().resolve(name + "-" + stamp);
        var network = LabNetwork.create(workDir, isolatedSegment);
        try {
            return new LabScenario(network, SiteDhcpServer.start(network));
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    LabNetwork network() {
        return network;
    }

    SiteDhcpServer site() {
        return site;
    }

    ApplianceProcess proxy() {
        return proxy;
    }

    ApplianceProcess startProxy(DhcpMode mode) {
        return startAppliance(config(mode));
    }

    /** The scenario's appliance config before any change: debug logging, state and assets in the work directory. */
    ApplianceConfig config(DhcpMode mode) {
        return ApplianceConfig.debug(LabNetwork.PROVISIONING.applianceInterface(), mode, network.workDir());
    }

    ApplianceProcess startAppliance(ApplianceConfig config) {
        proxy = ApplianceProcess.start(network, LabRequirements.appliance(), config);
        applianceConfig = config;
        return proxy;
    }

    /** The test kernel and disks, built once per test JVM (the scripts also keep them between runs). */
    static synchronized BootMedia media() {
        if (media == null) {
            media = BootMedia.build(BootMedia.labHome());
        }
        return media;
    }

    /** The appliance's operator API, called from the appliance's host with the token in its state directory. */
    ApplianceApi api() {
        return ApplianceApi.operator(network.appliance(), applianceConfig.stateDir());
    }

    /** The same calls from an operator's workstation on the provisioning segment, without a token. */
    ApplianceApi apiFromTheProvisioningNetwork(int port) {
        return ApplianceApi.unauthenticated(network.hub(), "http://" + LabNetwork.PROVISIONING.applianceAddress() + ":"
                + port);
    }

    /** A relay in front of the appliance's HTTP port that refuses each machine's first {@code failedPath} request. */
    FlakyRelayProcess startRelay(String failedPath) {
        var relay = FlakyRelayProcess.start(network, LabNetwork.PROVISIONING.applianceAddress(), ApplianceConfig.HTTP_PORT,
                failedPath);
        observed.add(relay);
        return relay;
    }

    PacketWatch watch(Namespace namespace, String device, String filter, String logName) {
        var watch = network.adopt(PacketWatch.start(namespace, device, filter, network.workDir().resolve(logName + ".txt")));
        observed.add(watch);
        return watch;
    }

    QemuMachine boot(LabNetwork.Segment segment, MachineSpec spec) {
        var machine = QemuMachine.boot(network, segment, spec);
        observed.add(machine);
        return machine;
    }

    /** A machine with a BMC (ipmi_sim), the same one on each of its boots. */
    QemuMachine bootWithBmc(LabNetwork.Segment segment, MachineSpec spec) {
        IpmiSimBmc bmc = bmcs.computeIfAbsent(spec.name(), name -> IpmiSimBmc.start(network, spec));
        var machine = QemuMachine.boot(network, segment, spec, bmc.qemuArguments());
        observed.add(machine);
        return machine;
    }

    /** The BMC of a machine booted with {@link #bootWithBmc}. */
    IpmiSimBmc bmc(MachineSpec spec) {
        return java.util.Objects.requireNonNull(bmcs.get(spec.name()), spec.name() + " has no BMC");
    }

    /** What the test kernel reported on the VM's console; fails the test when it never booted. */
    TestKernelReport awaitTestKernel(QemuMachine vm, Deadline deadline) {
        var report = TestKernelReport.await(vm.serial(), deadline.remaining())
                .orElseThrow(() -> failure(vm + " never printed the test kernel's marker lines"));
        printBootTime(vm, "test kernel marker");
        return report;
    }

    /** One line in the test's output: how long since power-on the VM took to get somewhere, under TCG. */
    static void printBootTime(QemuMachine vm, String milestone) {
        System.out.printf("lab: %s (%s) power-on -> %s %.1f s under TCG%n", vm, vm.spec().firmware(), milestone,
                vm.sincePowerOn().toMillis() / 1000.0);
    }

    /** Waits until the test kernel has powered the VM off, so that its next boot is a new run. */
    void awaitPowerOff(QemuMachine vm, Deadline deadline) {
        if (!vm.awaitPowerOff(deadline.remaining())) {
            throw failure(vm + " did not power off after the test kernel ran");
        }
    }

    /** An assertion failure that says what every part of the lab printed last. */
    AssertionFailedError failure(String message) {
        var text = new StringBuilder(message).append("\n(full logs in ").append(network.workDir()).append(")\n");
        text.append("site DHCP log:\n").append(site.log().tail(12));
        if (proxy != null) {
            text.append(proxy).append(proxy.isAlive() ? "" : " (exited)").append(" log:\n").append(proxy.log().tail(25));
        }
        for (Object thing : observed) {
            switch (thing) {
                case QemuMachine vm -> text.append(vm).append(vm.isAlive() ? "" : " (QEMU exited)")
                        .append(" serial console:\n").append(vm.serial().lines().tail(15))
                        .append("QEMU:\n").append(vm.qemuLog().tail(5));
                case PacketWatch watch -> text.append(watch).append(" packets:\n").append(watch.packets().tail(15));
                case FlakyRelayProcess relay -> text.append(relay).append(" log:\n").append(relay.log().tail(10));
                default -> text.append(thing).append('\n');
            }
        }
        return new AssertionFailedError(text.toString());
    }

    @Override
    public void close() {
        network.close();
    }

    /** The log file the agent scenarios capture the appliance's HTTP in: the one place secrets may be. */
    static final String WIRE_LOG = "appliance-http";
    private static final Pattern TOKEN_ON_THE_WIRE =
            Pattern.compile("metalboot\\.token=([A-Za-z0-9_-]{16,})");
    private static final Pattern CREDENTIAL_ON_THE_WIRE =
            Pattern.compile("\"credential\"\\s*:\\s*\"([^\"]{16,})\"");

    /** Captures the appliance's HTTP on the provisioning leg, to read the secrets that went over it. */
    PacketWatch watchApplianceHttp() {
        return watch(network.appliance(), LabNetwork.PROVISIONING.applianceInterface(),
                "tcp port " + ApplianceConfig.HTTP_PORT, WIRE_LOG);
    }

    /**
     * No boot token and no session credential that went over {@code wire} (at least
     * {@code agentBoots} of each, or this check could not fail), nor any of {@code more}, in any log
     * of the scenario but the wire capture itself; the appliance's, every log in {@code mustExist}
     * and at least {@code agentBoots} serial logs among them.
     */
    void assertNoSecretInAnyLog(PacketWatch wire, int agentBoots, List<String> more, List<String> mustExist)
            throws IOException {
        StringBuilder http = new StringBuilder();
        wire.packets().entries().forEach(packet -> http.append(new String(packet.payload(),
                StandardCharsets.ISO_8859_1)));
        List<String> tokens = all(TOKEN_ON_THE_WIRE.matcher(http));
        List<String> credentials = all(CREDENTIAL_ON_THE_WIRE.matcher(http));
        assertTrue(tokens.size() >= agentBoots, "boot tokens seen on the wire: " + tokens.size());
        assertTrue(credentials.size() >= agentBoots,
                "session credentials seen on the wire: " + credentials.size());
        List<String> secrets = new ArrayList<>(tokens);
        secrets.addAll(credentials);
        secrets.addAll(more);
        List<Path> logs;
        try (Stream<Path> files = Files.walk(network.workDir())) {
            logs = files.filter(Files::isRegularFile)
                    .filter(file -> file.getFileName().toString().endsWith(".log"))
                    .filter(file -> !file.getFileName().toString().startsWith(WIRE_LOG)).toList();
        }
        List<String> names = logs.stream().map(log -> log.getFileName().toString()).toList();
        for (String required : Stream.concat(Stream.of("appliance.log"),
                mustExist.stream()).toList()) {
            assertTrue(names.contains(required), "no " + required + " in " + logs);
        }
        assertTrue(names.stream().filter(name -> name.startsWith("serial")).count()
                >= agentBoots, "serial logs: " + logs);
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            for (String secret : secrets) {
                assertFalse(text.contains(secret), log + " holds a secret ("
                        + (tokens.contains(secret) ? "a boot token" : credentials.contains(secret) ? "a session credential"
                        : secret.length() + " characters") + ")");
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
