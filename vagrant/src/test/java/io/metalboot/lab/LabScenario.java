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
    private ApplianceProcess proxy;

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
        var config = ApplianceConfig.debug(LabNetwork.PROVISIONING.applianceInterface(), mode);
        proxy = ApplianceProcess.start(network, LabRequirements.applianceDir(), config);
        return proxy;
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
