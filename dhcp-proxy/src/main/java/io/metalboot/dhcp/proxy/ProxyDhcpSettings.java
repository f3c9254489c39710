package io.metalboot.dhcp.proxy;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * What the ProxyDHCP says and where it listens.
 *
 * @param serverAddress the address given as next-server (siaddr) and option 54
 * @param interfaceName the interface to answer on alone (SO_BINDTODEVICE), or null for all
 * @param ipxeScriptUrl the URL template handed to iPXE; {@code {server}}, {@code {http-port}},
 *     {@code {mac}}, {@code {uuid}} and {@code {arch}} are replaced per client
 */
public record ProxyDhcpSettings(Inet4Address serverAddress, String interfaceName, int dhcpPort, int bootServerPort,
        ProxyMode mode, BootFilePolicy bootFiles, String ipxeScriptUrl, int httpPort) {

    public ProxyDhcpSettings {
        Objects.requireNonNull(serverAddress, "serverAddress");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(bootFiles, "bootFiles");
        Objects.requireNonNull(ipxeScriptUrl, "ipxeScriptUrl");
    }
}
