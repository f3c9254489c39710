package io.metalboot.appliance;

import io.metalboot.appliance.api.MachineApi;
import io.metalboot.appliance.boot.BootProfile;
import io.metalboot.appliance.boot.BootScriptRoutes;
import io.metalboot.appliance.boot.BootScripts;
import io.metalboot.appliance.boot.BootSettings;
import io.metalboot.appliance.boot.MachineSelector;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ConfigException;
import io.metalboot.appliance.dhcp.AdvertisedAddress;
import io.metalboot.appliance.dhcp.ProxyDhcpSettingsFactory;
import io.metalboot.appliance.dhcp.RegistryNetbootGate;
import io.metalboot.appliance.http.HttpBootServer;
import io.metalboot.appliance.http.HttpRoute;
import io.metalboot.appliance.http.HttpSettings;
import io.metalboot.appliance.registry.JournalMachineStore;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.appliance.tftp.TftpSettingsFactory;
import io.metalboot.appliance.tftp.server.TftpCounters;
import io.metalboot.appliance.tftp.server.TftpServer;
import io.metalboot.machine.MacAddress;
import io.metalboot.dhcp.proxy.ProxyDhcpServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The running appliance: the machine registry, then each enabled service, started in order and
 * stopped in reverse. If one fails to start, those already started are stopped again.
 */
final class Appliance implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private final List<AutoCloseable> started = new ArrayList<>();

    private Appliance() {
    }

    /** Starts everything; throws {@link ConfigException} for a value that turned out unusable. */
    static Appliance start(ApplianceConfig config) throws IOException {
        Appliance appliance = new Appliance();
        try {
            appliance.startAll(config);
            return appliance;
        } catch (IOException | RuntimeException e) {
            appliance.close();
            throw e;
        }
    }

    private void startAll(ApplianceConfig config) throws IOException {
        Path stateDir = Path.of(config.stateDir());
        JournalMachineStore store = JournalMachineStore.open(stateDir);
        started.add(store);
        java.util.Set<MacAddress> known = RegistryNetbootGate.macs("machines.known", config.machines().known());
        MachineRegistry registry = new MachineRegistry(store, !config.machines().knownOnly(), known,
                Duration.ofMinutes(config.machines().bootTokenMinutes()), Clock.systemUTC());
        LOG.log(Level.INFO, "registry: {0} machines in {1}", Integer.toString(registry.machines().size()),
                stateDir.resolve("machines.journal"));

        // What machines are told to come back to: decided once, for the ProxyDHCP and the URLs alike.
        Inet4Address server = config.dhcp().enabled() || config.http().enabled()
                ? AdvertisedAddress.resolve(config.serverAddress(), config.dhcp().interfaceName())
                : null;

        if (config.dhcp().enabled()) {
            ProxyDhcpServer dhcp = new ProxyDhcpServer(ProxyDhcpSettingsFactory.from(config, server),
                    new RegistryNetbootGate(registry, config.machines().knownOnly(), known,
                            RegistryNetbootGate.macs("dhcp.local-boot-only", config.dhcp().localBootOnly())));
            started.add(() -> {
                dhcp.close();
                LOG.log(Level.INFO, "dhcp-proxy counters {0}", dhcp.counters());
            });
            dhcp.start();
        } else {
            LOG.log(Level.INFO, "dhcp-proxy disabled (dhcp.enabled: false)");
        }

        if (config.tftp().enabled()) {
            TftpServer tftp = new TftpServer(TftpSettingsFactory.from(config), new TftpCounters());
            started.add(() -> {
                tftp.close();
                LOG.log(Level.INFO, "tftp counters {0}", tftp.counters());
            });
            tftp.start();
        } else {
            LOG.log(Level.INFO, "tftp disabled (tftp.enabled: false)");
        }

        if (config.http().enabled()) {
            Path assets = Path.of(config.http().assets());
            Files.createDirectories(assets);
            HttpSettings settings = HttpSettings.defaults(InetAddress.getByAddress(new byte[4]), config.http().port(),
                    assets).withMount("/ipxe/", Path.of(config.tftp().root()));
            List<HttpRoute> routes = new ArrayList<>();
            routes.addAll(BootScriptRoutes.routes(new BootScripts(bootSettings(config, server), registry)));
            routes.addAll(new MachineApi(registry).routes());
            HttpBootServer http = new HttpBootServer(settings, routes);
            started.add(http);
            http.start();
        } else {
            LOG.log(Level.INFO, "http disabled (http.enabled: false)");
        }
    }

    private static BootSettings bootSettings(ApplianceConfig config, Inet4Address server) {
        ApplianceConfig.Boot boot = config.boot();
        ApplianceConfig.Agent agent = boot.agent();
        List<BootProfile> profiles = new ArrayList<>();
        for (int i = 0; i < boot.profiles().size(); i++) {
            ApplianceConfig.Profile p = boot.profiles().get(i);
            String key = "boot.profiles[" + i + "]";
            MachineSelector selector;
            try {
                selector = new MachineSelector(Optional.ofNullable(p.mac()).map(MacAddress::parse),
                        Optional.ofNullable(p.uuid()).map(UUID::fromString), Optional.ofNullable(p.serial()),
                        p.labels());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
            }
            profiles.add(new BootProfile(p.name(), selector, url(Optional.ofNullable(p.kernel()).orElse(agent.kernel()),
                    server, config), url(Optional.ofNullable(p.initrd()).orElse(agent.initrd()), server, config),
                    Optional.ofNullable(p.args()).orElse(agent.args())));
        }
        profiles.add(new BootProfile("default", MachineSelector.ANY, url(agent.kernel(), server, config),
                url(agent.initrd(), server, config), agent.args()));
        return new BootSettings(url(boot.baseUrl(), server, config), boot.attempts(), boot.localBoot().efi(),
                boot.localBoot().pcbios(), profiles, Optional.ofNullable(boot.templates()).map(Path::of));
    }

    private static String url(String template, Inet4Address server, ApplianceConfig config) {
        return template.replace("{server}", server.getHostAddress())
                .replace("{http-port}", Integer.toString(config.http().port()));
    }

    @Override
    public void close() {
        for (AutoCloseable service : started.reversed()) {
            try {
                service.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "error while stopping a service", e);
            }
        }
        started.clear();
    }
}
