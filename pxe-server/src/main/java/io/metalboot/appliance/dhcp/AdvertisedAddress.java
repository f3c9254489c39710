package io.metalboot.appliance.dhcp;

import io.metalboot.appliance.config.ConfigException;
import io.metalboot.appliance.config.InterfaceAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The IPv4 address the appliance tells PXE clients to come back to. Without IP_PKTINFO (Netty's
 * epoll has none) the proxy cannot learn which local address a broadcast arrived on, so this is
 * decided once, at start, and a host where the choice is ambiguous must say it in the config.
 */
public final class AdvertisedAddress {
    private AdvertisedAddress() {
    }

    public static Inet4Address resolve(String configured, String interfaceName) {
        if (configured != null) {
            try {
                if (InetAddress.getByName(configured) instanceof Inet4Address v4 && !configured.isBlank()
                        && Character.isDigit(configured.charAt(0))) {
                    return v4;
                }
            } catch (UnknownHostException e) {
                // fall through to the error below
            }
            throw new ConfigException("server-address", "not an IPv4 address: '" + configured + "'");
        }
        if (interfaceName != null) {
            return InterfaceAddress.ipv4("dhcp.interface", interfaceName, "; give it one or set server-address");
        }
        try {
            List<Inet4Address> candidates = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .filter(AdvertisedAddress::isUp)
                    .flatMap(nic -> ipv4Of(nic).stream())
                    .filter(address -> !address.isLoopbackAddress())
                    .toList();
            if (candidates.size() != 1) {
                throw new ConfigException("server-address", candidates.isEmpty()
                        ? "this host has no non-loopback IPv4 address to advertise; set server-address"
                        : "this host has several IPv4 addresses " + candidates
                                + "; set server-address or dhcp.interface");
            }
            return candidates.getFirst();
        } catch (SocketException e) {
            throw new ConfigException("server-address", "cannot list network interfaces: " + e.getMessage());
        }
    }

    /**
     * The interface that owns {@code address}, if it is local. The ProxyDHCP is tied to it when no
     * interface is configured: without that, a broadcast reply follows the routing table and may
     * leave by another interface than the DISCOVER came in on (or fail with no default route).
     */
    public static Optional<String> interfaceOwning(Inet4Address address) {
        try {
            return Optional.ofNullable(NetworkInterface.getByInetAddress(address)).map(NetworkInterface::getName);
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    private static List<Inet4Address> ipv4Of(NetworkInterface nic) {
        return nic.inetAddresses()
                .filter(Inet4Address.class::isInstance)
                .map(Inet4Address.class::cast)
                .toList();
    }

    private static boolean isUp(NetworkInterface nic) {
        try {
            return nic.isUp();
        } catch (SocketException e) {
            return false;
        }
    }
}
