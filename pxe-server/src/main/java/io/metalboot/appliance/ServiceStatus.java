package io.metalboot.appliance;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What {@code GET /api/v1/status} shows of one running service: its name (its section of the
 * config file) and the sockets it listens on (none for a service that only runs timers).
 */
public record ServiceStatus(String name, List<Listener> listening) {
    public ServiceStatus {
        listening = List.copyOf(listening);
    }

    /** A service without sockets of its own. */
    public static ServiceStatus of(String name) {
        return new ServiceStatus(name, List.of());
    }

    /**
     * The one socket {@code name} is bound to: the address as configured (a socket bound to 0.0.0.0
     * reports the IPv6 wildcard), the port as bound. None while it is not (its service has not
     * started yet: a status call can come while the later services start).
     */
    public static List<Listener> bound(String name, String protocol, InetAddress address, InetSocketAddress bound,
            String interfaceName) {
        return bound == null ? List.of()
                : List.of(new Listener(name, protocol, address.getHostAddress(), bound.getPort(), interfaceName));
    }

    /**
     * One socket: what it serves, tcp or udp, the address and port it is bound to, and the
     * interface it is tied to (null: none).
     */
    public record Listener(String name, String protocol, String address, int port,
            @JsonProperty("interface") String interfaceName) {
    }
}
