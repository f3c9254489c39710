package io.metalboot.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
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
        proxy = ApplianceProcess.start(network, LabRequirements.applianceDir(), config);
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
}
