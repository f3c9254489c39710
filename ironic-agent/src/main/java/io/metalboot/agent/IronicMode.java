package io.metalboot.agent;

import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.core.DiskMaintenance;
import io.metalboot.agent.deploy.disk.TargetDiskPolicy;
import io.metalboot.agent.inventory.InventoryCollector;
import io.metalboot.agent.inventory.lldp.PacketSocketListener;
import io.metalboot.agent.ironic.IpaParameters;
import io.metalboot.agent.ironic.IronicFront;
import io.metalboot.agent.ironic.RecentLines;
import io.metalboot.agent.ironic.SystemLogArchive;
import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import io.metalboot.agent.ironic.tls.SelfSignedCertificate;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** The agent in Ironic mode ({@code ipa-api-url} on the command line): the Ironic front on the agent's actions. */
final class IronicMode {
    /** Longer than any deploy: the certificate lives as long as this boot of the ramdisk. */
    private static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(30);

    private IronicMode() {
    }

    static void run(IpaParameters params, KernelCommandLine cmdline, Optional<MacAddress> bootMac, Duration lldpWait,
            java.util.Set<String> virtualInterfaces, AgentCore core, DiskMaintenance disks, TargetDiskPolicy policy, RecentLines console) throws Exception {
        InventoryCollector collector = InventoryCollector.ofThisMachine(
                lldpWait.isZero() ? null : new PacketSocketListener(lldpWait)).alsoListing(virtualInterfaces);
        IronicFront[] front = new IronicFront[1];
        front[0] = new IronicFront(params, core, disks, () -> collector.collect(bootMac.orElse(null)), policy,
                address -> tls(address, console), console, () -> new SystemLogArchive()
                        .add("agent.log", console.text())
                        .add("cmdline", cmdline.toString() + "\n")
                        .add("dmesg", dmesg())
                        .add("commands.json", front[0].commandsSoFar())
                        .gzipped(System.currentTimeMillis() / 1000));
        front[0].run();
    }

    /** Auto-TLS: a certificate for the agent's address, made at start; plain HTTP if the JDK cannot make one. */
    private static Optional<IronicFront.ServerTls> tls(InetAddress address, RecentLines console) {
        try {
            SelfSignedCertificate certificate = SelfSignedCertificate.generate(address, CERTIFICATE_VALIDITY,
                    Clock.systemUTC());
            return Optional.of(new IronicFront.ServerTls(certificate.pem(), certificate.serverContext()));
        } catch (GeneralSecurityException e) {
            console.accept("metalboot-agent: ironic: no auto-TLS certificate (" + e.getMessage() + "); the API is plain HTTP");
            return Optional.empty();
        }
    }

    /** The kernel's ring buffer ({@code dmesg}), or why not. */
    private static String dmesg() {
        try {
            Process process = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readNBytes(4 << 20);
            process.waitFor();
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(dmesg: " + e.getMessage() + ")\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(dmesg: interrupted)\n";
        }
    }

}
