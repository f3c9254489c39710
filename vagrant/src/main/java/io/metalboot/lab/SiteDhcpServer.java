package io.metalboot.lab;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The site's own DHCP server, dnsmasq in the site namespace: it hands out addresses and IPv6 router
 * adverts and knows nothing about PXE, like the DHCP server of a real site next to a ProxyDHCP.
 */
final class SiteDhcpServer implements AutoCloseable {
    static final String POOL_START = LabNetwork.PROVISIONING.host(100);
    static final String POOL_END = LabNetwork.PROVISIONING.host(199);
    private static final Duration READY = Duration.ofSeconds(10);
    private static final Pattern ACK = Pattern.compile("DHCPACK\\(\\S+\\) (\\d+\\.\\d+\\.\\d+\\.\\d+) ([0-9a-f:]{17})");

    private final ChildProcess dnsmasq;

    private SiteDhcpServer(ChildProcess dnsmasq) {
        this.dnsmasq = dnsmasq;
    }

    static SiteDhcpServer start(LabNetwork network) {
        var work = network.workDir();
        List<String> argv = network.site().exec(List.of(Tool.DNSMASQ.path(),
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--port=0", // no DNS
                "--interface=" + LabNetwork.SITE_INTERFACE,
                "--bind-interfaces",
                "--dhcp-range=" + POOL_START + "," + POOL_END + ",255.255.255.0,1h",
                // iPXE waits ~13 s for an IPv6 router advert unless one comes.
                "--enable-ra",
                "--dhcp-range=::,constructor:" + LabNetwork.SITE_INTERFACE + ",ra-only",
                "--no-ping", // dnsmasq would otherwise ping each address for 3 s before offering it
                "--log-dhcp",
                "--log-facility=-",
                "--dhcp-leasefile=" + work.resolve("site-dhcp.leases"),
                "--pid-file=",
                "--user=root", "--group=root")); // keep write access to the lease file in the work dir
        var server = network.adopt(new SiteDhcpServer(
                ChildProcess.start("site-dhcp", argv, work.resolve("site-dhcp.log"))));
        if (server.dnsmasq.lines().await(line -> line.contains("DHCP, IP range"), READY).isEmpty()) {
            throw new LabException("site DHCP server (dnsmasq) did not start:\n" + server.dnsmasq.lines().tail(20));
        }
        return server;
    }

    /** The address dnsmasq acknowledged to this MAC (lowercase colon form). */
    Optional<String> awaitAck(String mac, Duration timeout) {
        return dnsmasq.lines().await(line -> ackFor(line, mac).isPresent(), timeout).flatMap(line -> ackFor(line, mac));
    }

    private static Optional<String> ackFor(String line, String mac) {
        Matcher matcher = ACK.matcher(line);
        return matcher.find() && matcher.group(2).equalsIgnoreCase(mac) ? Optional.of(matcher.group(1)) : Optional.empty();
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
        return "site DHCP server";
    }
}
