package io.metalboot.appliance.config;

import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;

/** The IPv4 address of an interface that a config value names, or a ConfigException for that key. */
public final class InterfaceAddress {
    private InterfaceAddress() {
    }

    /**
     * @param key the config key that names the interface, for the error
     * @param hint what the operator can do instead when the interface has no IPv4 address ("" for none)
     */
    public static Inet4Address ipv4(String key, String interfaceName, String hint) {
        try {
            NetworkInterface nic = NetworkInterface.getByName(interfaceName);
            if (nic == null) {
                throw new ConfigException(key, "no network interface named '" + interfaceName + "'");
            }
            return nic.inetAddresses()
                    .filter(Inet4Address.class::isInstance)
                    .map(Inet4Address.class::cast)
                    .findFirst()
                    .orElseThrow(() -> new ConfigException(key,
                            "interface '" + interfaceName + "' has no IPv4 address" + hint));
        } catch (SocketException e) {
            throw new ConfigException(key, "cannot list network interfaces: " + e.getMessage());
        }
    }
}
