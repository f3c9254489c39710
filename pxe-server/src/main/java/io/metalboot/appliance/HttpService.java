package io.metalboot.appliance;

import io.metalboot.appliance.agent.AgentApi;
import io.metalboot.appliance.boot.BootProfile;
import io.metalboot.appliance.boot.BootScriptRoutes;
import io.metalboot.appliance.boot.BootScripts;
import io.metalboot.appliance.boot.BootSettings;
import io.metalboot.appliance.boot.MachineSelector;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.http.HealthRoutes;
import io.metalboot.http.HttpServer;
import io.metalboot.http.HttpRoute;
import io.metalboot.http.HttpSettings;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.SmbiosUuid;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The provisioning network's HTTP service: boot scripts, assets (and tftp.root at /ipxe/ for UEFI
 * HTTP boot), further mounts, health. Nothing on it reads or changes the registry beyond what a
 * booting machine's own script request records: the machines API is the operator listener's
 * ({@link io.metalboot.appliance.api.OperatorApiService}). Once bound, it tells the {@link io.metalboot.appliance.boot.BootEndpoint} its
 * real port, which the services after it advertise.
 */
final class HttpService implements ApplianceService {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private final HttpServer server;
    private final InetAddress bindAddress;
    private final ServiceContext context;
    private final BootScripts scripts;

    private HttpService(HttpServer server, InetAddress bindAddress, ServiceContext context, BootScripts scripts) {
        this.server = server;
        this.bindAddress = bindAddress;
        this.context = context;
        this.scripts = scripts;
    }

    static Optional<ApplianceService> from(ServiceContext context) throws IOException {
        ApplianceConfig config = context.config();
        if (!config.http().enabled()) {
            LOG.log(System.Logger.Level.INFO, "http disabled (http.enabled: false)");
            return Optional.empty();
        }
        Path assets = Path.of(config.http().assets());
        Files.createDirectories(assets);
        HttpSettings settings = HttpSettings.defaults(InetAddress.getByAddress(new byte[4]), config.http().port())
                .withMount("/assets/", assets).withMount("/ipxe/", Path.of(config.tftp().root()));
        for (java.util.Map.Entry<String, String> mount : config.http().mounts().entrySet()) {
            settings = settings.withMount(mount.getKey(), Path.of(mount.getValue()));
        }
        BootScripts scripts = new BootScripts(bootSettings(config), context.registry(), context.endpoint(),
                context.evidence());
        List<HttpRoute> routes = new ArrayList<>();
        routes.addAll(BootScriptRoutes.routes(scripts));
        routes.addAll(new AgentApi(context.registry(), context.agents(), context.evidence()).routes());
        routes.addAll(context.routes().provisioning());
        routes.addAll(HealthRoutes.routes(context.ready()::get));
        return Optional.of(new HttpService(new HttpServer(settings, routes), settings.bindAddress(), context, scripts));
    }

    /** The profiles in config order, then the default one (boot.agent) that matches every machine. */
    static BootSettings bootSettings(ApplianceConfig config) {
        ApplianceConfig.Boot boot = config.boot();
        ApplianceConfig.Agent agent = boot.agent();
        List<BootProfile> profiles = new ArrayList<>();
        for (ApplianceConfig.Profile p : boot.profiles()) {
            MachineSelector selector = new MachineSelector(Optional.ofNullable(p.mac()).map(MacAddress::parse),
                    Optional.ofNullable(p.uuid()).map(u -> SmbiosUuid.parse(u).uuid()),
                    Optional.ofNullable(p.serial()), p.labels());
            profiles.add(new BootProfile(p.name(), selector, Optional.ofNullable(p.kernel()).orElse(agent.kernel()),
                    Optional.ofNullable(p.initrd()).orElse(agent.initrd()),
                    Optional.ofNullable(p.args()).orElse(agent.args())));
        }
        profiles.add(new BootProfile("default", MachineSelector.ANY, agent.kernel(), agent.initrd(), agent.args()));
        return new BootSettings(boot.baseUrl(), boot.attempts(), boot.localBoot().efi(), boot.localBoot().pcbios(),
                profiles, Optional.ofNullable(boot.templates()).map(Path::of));
    }

    /** boot.profiles and boot.agent (one piece: the profiles a script is chosen from), then boot.templates. */
    @Override
    public List<ReloadedPiece> reload(ApplianceConfig config) {
        BootSettings settings = bootSettings(config);
        ReloadedPiece profiles = ReloadedPiece.applied("boot.profiles",
                "profiles: " + config.boot().profiles().size() + ", and boot.agent");
        try {
            scripts.reload(settings);
        } catch (IOException e) {
            return List.of(profiles, ReloadedPiece.failed("boot.templates", e.getMessage()));
        }
        return List.of(profiles, ReloadedPiece.applied("boot.templates",
                settings.templates().map(Path::toString).orElse("embedded")));
    }

    @Override
    public void start() throws IOException {
        server.start();
        context.endpoint().httpBound(server.localAddress().getPort());
    }

    @Override
    public ServiceStatus status() {
        return new ServiceStatus("http", ServiceStatus.bound("HTTP", "tcp", bindAddress, server.localAddress(), null));
    }

    @Override
    public void close() {
        server.close();
    }
}
