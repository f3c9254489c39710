package io.metalboot.lab;

import java.time.Duration;
import java.util.List;

/**
 * dnsmasq in proxy mode in the appliance namespace: a known-good ProxyDHCP for checking the harness
 * itself (selected with {@code -Dmetalboot.lab.proxy=dnsmasq}). Only the UEFI path is configured
 * like the appliance's; dnsmasq always uses the port-4011 exchange.
 */
final class StandInProxyDhcp implements ProxyDhcpServer {
    private final ChildProcess dnsmasq;

    private StandInProxyDhcp(ChildProcess dnsmasq) {
        this.dnsmasq = dnsmasq;
    }

    static StandInProxyDhcp start(LabNetwork network, ApplianceConfig config) {
        var segment = LabNetwork.PROVISIONING;
        List<String> argv = network.appliance().exec(List.of(Tool.DNSMASQ.path(),
                "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                "--interface=" + config.dhcpInterface(), "--bind-interfaces",
                "--dhcp-range=" + segment.network() + ",proxy",
                "--pxe-service=X86-64_EFI,metalboot,snponly.efi",
                "--pxe-service=BC_EFI,metalboot,snponly.efi",
                "--log-dhcp", "--log-facility=-",
                "--dhcp-leasefile=" + network.workDir().resolve("stand-in.leases"),
                "--pid-file=", "--user=root", "--group=root"));
        var proxy = network.adopt(new StandInProxyDhcp(
                ChildProcess.start("stand-in-proxy", argv, network.workDir().resolve("stand-in-proxy.log"))));
        if (proxy.dnsmasq.lines().await(line -> line.contains("proxy on subnet"), Duration.ofSeconds(10)).isEmpty()) {
            throw new LabException("dnsmasq stand-in did not start:\n" + proxy.log().tail(10));
        }
        return proxy;
    }

    @Override
    public Journal<String> log() {
        return dnsmasq.lines();
    }

    @Override
    public boolean isAlive() {
        return dnsmasq.isAlive();
    }

    @Override
    public void close() {
        dnsmasq.close();
    }

    @Override
    public String toString() {
        return "dnsmasq stand-in ProxyDHCP";
    }
}
