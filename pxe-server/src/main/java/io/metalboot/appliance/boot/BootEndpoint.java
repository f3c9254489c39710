package io.metalboot.appliance.boot;

import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.machine.UrlTemplate;
import java.net.Inet4Address;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The appliance as machines reach it: the advertised IPv4 address and the HTTP port, the values of
 * {@code {server}} and {@code {http-port}} in every boot URL. The port is the configured one until
 * the HTTP service has bound; with {@code http.port: 0} it is then the port the kernel gave, which
 * is why services that advertise it (the ProxyDHCP) start after HTTP.
 */
public final class BootEndpoint {
    private static final int MAX_REMEMBERED = 64;

    /** A template as expanded for a port: every machine's script expands the same few, at every request. */
    private record Expanded(int port, String url) {
    }

    private final Inet4Address server;
    private volatile int httpPort;
    private final Map<String, Expanded> expanded = new ConcurrentHashMap<>();

    public BootEndpoint(Inet4Address server, int httpPort) {
        this.server = server;
        this.httpPort = httpPort;
    }

    public Inet4Address server() {
        return server;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Called once by the HTTP service after it has bound. */
    public void httpBound(int port) {
        this.httpPort = port;
    }

    /** A boot URL template ({@code {server}}, {@code {http-port}}) as machines are given it now. */
    public String expand(String template) {
        int port = httpPort;
        Expanded known = expanded.get(template);
        if (known != null && known.port() == port) {
            return known.url();
        }
        String url = UrlTemplate.parse(template, ApplianceConfig.BOOT_URL_PLACEHOLDERS).expand(Map.of(
                "server", server.getHostAddress(), "http-port", Integer.toString(port)));
        if (expanded.size() >= MAX_REMEMBERED) {
            expanded.clear(); // the config's few URLs, but reloads may bring new ones
        }
        expanded.put(template, new Expanded(port, url));
        return url;
    }
}
