package io.metalboot.dhcp.proxy;

import io.metalboot.machine.UrlTemplate;
import java.net.Inet4Address;
import java.util.Objects;
import java.util.Set;

/**
 * What the ProxyDHCP says and where it listens.
 *
 * @param serverAddress the address given as next-server (siaddr) and option 54
 * @param interfaceName the interface to answer on alone (SO_BINDTODEVICE), or null for all
 * @param ipxeScriptUrl the URL template handed to iPXE; the {@link #PLACEHOLDERS} are replaced
 *     per client, in boot file names too
 */
public record ProxyDhcpSettings(Inet4Address serverAddress, String interfaceName, int dhcpPort, int bootServerPort,
        ProxyMode mode, BootFilePolicy bootFiles, String ipxeScriptUrl, int httpPort) {

    /** What a boot file name or the script URL may hold; checked here, so a typo fails at start. */
    public static final Set<String> PLACEHOLDERS = Set.of("server", "http-port", "mac", "uuid", "arch");

    public ProxyDhcpSettings {
        Objects.requireNonNull(serverAddress, "serverAddress");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(bootFiles, "bootFiles");
        Objects.requireNonNull(ipxeScriptUrl, "ipxeScriptUrl");
        UrlTemplate.parse(ipxeScriptUrl, PLACEHOLDERS);
        bootFiles.templates().forEach(file -> UrlTemplate.parse(file, PLACEHOLDERS));
    }
}
