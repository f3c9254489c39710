package io.metalboot.appliance.dhcp;

import io.metalboot.appliance.ApplianceService;
import io.metalboot.appliance.ReloadedPiece;
import io.metalboot.appliance.ServiceContext;
import io.metalboot.appliance.ServiceStatus;
import io.metalboot.appliance.boot.BootScriptRoutes;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.dhcp.proxy.BootFilePolicy;
import io.metalboot.dhcp.proxy.ProxyDhcpServer;
import io.metalboot.dhcp.proxy.ProxyDhcpSettings;
import io.metalboot.dhcp.proxy.ProxyMode;
import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The ProxyDHCP as an appliance service: its settings from the config, its gate from the registry. */
public final class ProxyDhcpService implements ApplianceService {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private final ProxyDhcpServer server;
    private final ProxyDhcpSettings settings;
    private final RegistryNetbootGate gate;
    private volatile boolean started;

    private ProxyDhcpService(ProxyDhcpSettings settings, RegistryNetbootGate gate) {
        this.server = new ProxyDhcpServer(settings, gate);
        this.settings = settings;
        this.gate = gate;
    }

    public static Optional<ApplianceService> from(ServiceContext context) {
        ApplianceConfig config = context.config();
        if (!config.dhcp().enabled()) {
            LOG.log(Level.INFO, "dhcp-proxy disabled (dhcp.enabled: false)");
            return Optional.empty();
        }
        RegistryNetbootGate gate = new RegistryNetbootGate(context.registry(), config.dhcp().localBootOnlyMacs(),
                context.evidence());
        return Optional.of(new ProxyDhcpService(settings(context), gate));
    }

    static ProxyDhcpSettings settings(ServiceContext context) {
        ApplianceConfig.Dhcp dhcp = context.config().dhcp();
        ApplianceConfig.BootFiles files = dhcp.bootFiles();
        String interfaceName = dhcp.interfaceName() != null ? dhcp.interfaceName()
                : AdvertisedAddress.interfaceOwning(context.endpoint().server()).orElse(null);
        return new ProxyDhcpSettings(
                context.endpoint().server(),
                interfaceName,
                dhcp.port(),
                dhcp.pxePort(),
                ProxyMode.valueOf(dhcp.mode().toUpperCase(Locale.ROOT)),
                new BootFilePolicy(files.bios(), files.uefiX64(), files.uefiIa32(), files.uefiArm64(),
                        files.httpX64(), files.httpArm64()),
                ipxeScriptUrl(context.config()),
                context.endpoint().httpPort());
    }

    /** {@code dhcp.ipxe-script-url}, or else the entry script under {@code boot.base-url}: one source for both. */
    static String ipxeScriptUrl(ApplianceConfig config) {
        if (config.dhcp().ipxeScriptUrl() != null) {
            return config.dhcp().ipxeScriptUrl();
        }
        return config.boot().baseUrl().replaceFirst("/+$", "") + BootScriptRoutes.ENTRY_PATH + "?mac={mac}";
    }

    @Override
    public List<ReloadedPiece> reload(ApplianceConfig config) {
        Set<MacAddress> localBootOnly = config.dhcp().localBootOnlyMacs();
        gate.useLocalBootOnly(localBootOnly);
        return List.of(ReloadedPiece.applied("dhcp.local-boot-only", "MACs: " + localBootOnly.size()));
    }

    @Override
    public void start() throws IOException {
        server.start();
        started = true;
    }

    /** Both ports from the settings: the config names them (never 0), and both bind 0.0.0.0 on the interface. */
    @Override
    public ServiceStatus status() {
        return new ServiceStatus("dhcp", !started ? List.of() : List.of(
                new ServiceStatus.Listener("ProxyDHCP", "udp", "0.0.0.0", settings.dhcpPort(), settings.interfaceName()),
                new ServiceStatus.Listener("PXE boot server", "udp", "0.0.0.0", settings.bootServerPort(),
                        settings.interfaceName())));
    }

    @Override
    public void close() {
        server.close();
        LOG.log(Level.INFO, "dhcp-proxy counters {0}", server.counters());
    }
}
