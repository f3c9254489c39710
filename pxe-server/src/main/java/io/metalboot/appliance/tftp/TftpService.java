package io.metalboot.appliance.tftp;

import io.metalboot.appliance.ApplianceService;
import io.metalboot.appliance.ServiceContext;
import io.metalboot.appliance.ServiceStatus;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ConfigException;
import io.metalboot.appliance.config.InterfaceAddress;
import io.metalboot.appliance.tftp.server.TftpCounters;
import io.metalboot.appliance.tftp.server.TftpServer;
import io.metalboot.appliance.tftp.server.TftpSettings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The TFTP server as an appliance service. With {@code tftp.interface} the sockets bind to that
 * interface's IPv4 address: unlike DHCP, TFTP is unicast only, so binding the address ties it to
 * the interface without SO_BINDTODEVICE.
 */
public final class TftpService implements ApplianceService {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private final TftpServer server;
    private final TftpSettings settings;

    private TftpService(TftpServer server, TftpSettings settings) {
        this.server = server;
        this.settings = settings;
    }

    public static Optional<ApplianceService> from(ServiceContext context) {
        if (!context.config().tftp().enabled()) {
            LOG.log(Level.INFO, "tftp disabled (tftp.enabled: false)");
            return Optional.empty();
        }
        TftpSettings settings = settings(context.config());
        return Optional.of(new TftpService(new TftpServer(settings, new TftpCounters()), settings));
    }

    static TftpSettings settings(ApplianceConfig config) {
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
        if (interfaceName != null) {
            return InterfaceAddress.ipv4("tftp.interface", interfaceName, "");
        }
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    @Override
    public void start() throws IOException {
        server.start();
    }

    @Override
    public ServiceStatus status() {
        return new ServiceStatus("tftp", ServiceStatus.bound("TFTP", "udp", settings.bindAddress(), server.localAddress(),
                settings.interfaceName()));
    }

    @Override
    public void close() {
        server.close();
        LOG.log(Level.INFO, "tftp counters {0}", server.counters());
    }
}
