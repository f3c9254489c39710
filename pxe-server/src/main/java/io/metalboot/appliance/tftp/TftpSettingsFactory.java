package io.metalboot.appliance.tftp;

import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ConfigException;
import io.metalboot.appliance.tftp.server.TftpSettings;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Turns the appliance config into what the TFTP server needs. With {@code tftp.interface} the
 * sockets bind to that interface's IPv4 address: unlike DHCP, TFTP is unicast only, so binding
 * the address ties it to the interface without SO_BINDTODEVICE.
 */
public final class TftpSettingsFactory {
    private TftpSettingsFactory() {
    }

    public static TftpSettings from(ApplianceConfig config) {
        ApplianceConfig.Tftp tftp = config.tftp();
        Path root = Path.of(tftp.root());
        if (!Files.isDirectory(root)) {
            throw new ConfigException("tftp.root", "'" + tftp.root() + "' is not a directory"
                    + (tftp.root().equals("/usr/lib/ipxe") ? " (install Debian's ipxe package, or set tftp.root)" : ""));
        }
        return new TftpSettings(bindAddress(tftp.interfaceName()), tftp.port(), tftp.interfaceName(), root,
                tftp.aliases(), tftp.maxBlockSize(), tftp.maxWindowSize(),
                Duration.ofMillis(tftp.retransmitTimeoutMs()), tftp.retries(), tftp.maxTransfers(), tftp.cachedFiles());
    }

    private static InetAddress bindAddress(String interfaceName) {
        try {
            if (interfaceName == null) {
                return InetAddress.getByAddress(new byte[4]);
            }
            NetworkInterface nic = NetworkInterface.getByName(interfaceName);
            if (nic == null) {
                throw new ConfigException("tftp.interface", "no network interface named '" + interfaceName + "'");
            }
            return nic.inetAddresses().filter(Inet4Address.class::isInstance).findFirst()
                    .orElseThrow(() -> new ConfigException("tftp.interface",
                            "interface '" + interfaceName + "' has no IPv4 address"));
        } catch (SocketException | UnknownHostException e) {
            throw new ConfigException("tftp.interface", "cannot list network interfaces: " + e.getMessage());
        }
    }
}
