package io.metalboot.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The boot storm's peer: dnsmasq as a ProxyDHCP with its own TFTP server, in the site namespace
 * (10.203.0.2 on br0), serving the same iPXE files the appliance serves. It answers UEFI x86-64
 * PXE clients with {@code snponly.efi}, as the appliance does; only one of the two runs at a time.
 */
final class PeerProxyDhcp implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(10);
    /**
     * dnsmasq serves at most 50 TFTP transfers at once by default and refuses the rest; a storm of
     * 1,000 needs that many, so the limit is raised (as a site serving 1,000 machines would).
     */
    static final int TFTP_MAX = 4096;
    private final ChildProcess dnsmasq;

    private PeerProxyDhcp(ChildProcess dnsmasq) {
        this.dnsmasq = dnsmasq;
    }

    static PeerProxyDhcp start(LabNetwork network, Path tftpRoot, Path runDir) {
        List<String> argv = network.site().exec(List.of(Tool.DNSMASQ.path(),
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--port=0", // no DNS
                "--interface=" + LabNetwork.SITE_INTERFACE,
                "--bind-interfaces",
                "--dhcp-range=" + LabNetwork.PROVISIONING.network() + ",proxy",
                "--pxe-service=x86-64_EFI,metalboot,snponly.efi",
                "--enable-tftp",
                "--tftp-root=" + tftpRoot,
                "--tftp-max=" + TFTP_MAX,
                "--log-facility=-",
                "--dhcp-leasefile=" + runDir.resolve("peer.leases"),
                "--pid-file=",
                "--user=root", "--group=root"));
        var peer = network.adopt(new PeerProxyDhcp(ChildProcess.start("peer-dnsmasq", argv, runDir.resolve("dnsmasq.log"))));
        if (peer.dnsmasq.lines().await(line -> line.contains("TFTP root is"), READY).isEmpty()) {
            throw new LabException("the peer dnsmasq did not start:\n" + peer.dnsmasq.lines().tail(20));
        }
        return peer;
    }

    long pid() {
        return dnsmasq.pid();
    }

    boolean isAlive() {
        return dnsmasq.isAlive();
    }

    Journal<String> log() {
        return dnsmasq.lines();
    }

    @Override
    public void close() {
        dnsmasq.close();
    }

    @Override
    public String toString() {
        return "peer dnsmasq (proxy DHCP + TFTP)";
    }
}
