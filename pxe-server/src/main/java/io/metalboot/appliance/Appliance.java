package io.metalboot.appliance;

import io.metalboot.appliance.agent.AgentSessions;
import io.metalboot.appliance.agent.AgentWatchService;
import io.metalboot.appliance.api.OperatorApiService;
import io.metalboot.appliance.api.StatusApi;
import io.metalboot.appliance.boot.BootEndpoint;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ChangedKeys;
import io.metalboot.appliance.config.ConfigException;
import io.metalboot.appliance.dhcp.AdvertisedAddress;
import io.metalboot.appliance.dhcp.ProxyDhcpService;
import io.metalboot.appliance.evidence.BootEvidence;
import io.metalboot.appliance.evidence.NeighbourTable;
import io.metalboot.appliance.evidence.ProcNetArpTable;
import io.metalboot.appliance.bootstrap.BootstrapService;
import io.metalboot.appliance.images.ImageService;
import io.metalboot.appliance.registry.JournalBootTokenStore;
import io.metalboot.appliance.registry.JournalMachineStore;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.appliance.tftp.TftpService;
import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running appliance: the machine registry, then each enabled service, started in order and
 * stopped in reverse. If one fails to start, those already started are stopped again.
 */
final class Appliance implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("metalboot");

    /** A service built from the context, or nothing when it is disabled. */
    @FunctionalInterface
    interface ServiceFactory {
        Optional<ApplianceService> from(ServiceContext context) throws IOException;
    }

    /**
     * The order services start in. The image service comes first: it hands its routes to the two
     * HTTP listeners (built next) and checks its images before machines can ask. The ProxyDHCP comes last: it tells machines where to fetch
     * their next file, so what it names (TFTP, HTTP) must already be listening, and it advertises
     * the HTTP port as bound.
     */
    private static final List<ServiceFactory> SERVICES = List.of(ImageService::from, BootstrapService::from,
            HttpService::from,
            AgentWatchService::from,
            OperatorApiService::from, TftpService::from, ProxyDhcpService::from);

    /**
     * Where tests reach in: the neighbour table to read (null: /proc/net/arp on the provisioning
     * interface) and the clock of the registry, agents and evidence.
     */
    record Sources(NeighbourTable neighbours, Clock clock) {
        static final Sources PRODUCTION = new Sources(null, Clock.systemUTC());
    }

    /** Written while starting, read by status calls on the listeners already started. */
    private final List<AutoCloseable> started = new CopyOnWriteArrayList<>();
    private final Sources sources;
    private ServiceContext context;

    private Appliance(Sources sources) {
        this.sources = sources;
    }

    /** Starts everything; throws {@link ConfigException} for a value that turned out unusable. */
    static Appliance start(ApplianceConfig config) throws IOException {
        return start(config, Sources.PRODUCTION);
    }

    static Appliance start(ApplianceConfig config, Sources sources) throws IOException {
        Appliance appliance = new Appliance(sources);
        try {
            appliance.startAll(config);
            return appliance;
        } catch (IOException | RuntimeException e) {
            appliance.close();
            throw e;
        }
    }

    private void startAll(ApplianceConfig config) throws IOException {
        MachineRegistry registry = openRegistry(config);
        AgentSessions agents = new AgentSessions(registry, sources.clock(),
                Duration.ofSeconds(config.agents().heartbeatSeconds()), Duration.ofSeconds(config.agents().lostAfterSeconds()),
                config.agents().powerOffAfterInspection());
        BootEndpoint endpoint = endpoint(config);
        context = new ServiceContext(config, registry, agents, endpoint, evidence(config, endpoint),
                new AtomicBoolean(), sources.clock(), new ContributedRoutes());
        // The status is of the whole appliance, so the loop that runs the services serves it.
        context.routes().addOperator(new StatusApi(context, sources.clock().instant(), this::serviceStatuses,
                () -> service(ImageService.class).map(images -> images.images().images().size())).routes());
        for (ServiceFactory factory : SERVICES) {
            Optional<ApplianceService> service = factory.from(context);
            if (service.isPresent()) {
                started.add(service.get());
                service.get().start();
            }
        }
        context.ready().set(true);
    }

    private MachineRegistry openRegistry(ApplianceConfig config) throws IOException {
        Path stateDir = Path.of(config.stateDir());
        JournalMachineStore machines = JournalMachineStore.open(stateDir);
        started.add(machines);
        JournalBootTokenStore tokens = JournalBootTokenStore.open(stateDir);
        started.add(tokens);
        MachineRegistry registry = new MachineRegistry(machines, tokens, !config.machines().knownOnly(),
                config.machines().knownMacs(), Duration.ofMinutes(config.machines().bootTokenMinutes()),
                sources.clock(), config.machines().maxUnregistered(),
                Duration.ofMinutes(config.machines().unregisteredExpireMinutes()));
        LOG.log(Level.INFO, "registry: {0} machines in {1}", Integer.toString(registry.machines().size()), stateDir);
        return registry;
    }

    /**
     * The boot evidence rules; the neighbour table is /proc/net/arp's entries on the provisioning
     * interface (dhcp.interface, else the one owning the advertised address; every interface if
     * neither is known).
     */
    private BootEvidence evidence(ApplianceConfig config, BootEndpoint endpoint) {
        ApplianceConfig.Evidence evidence = config.boot().evidence();
        NeighbourTable neighbours = sources.neighbours();
        if (neighbours == null) {
            Optional<String> device = Optional.ofNullable(config.dhcp().interfaceName())
                    .or(() -> endpoint == null ? Optional.empty() : AdvertisedAddress.interfaceOwning(endpoint.server()));
            neighbours = new ProcNetArpTable(ProcNetArpTable.PROC_NET_ARP, device);
        }
        return new BootEvidence(Duration.ofSeconds(evidence.pxeWindowSeconds()), evidence.requireKinds(),
                evidence.networks().stream().map(ApplianceConfig.EvidenceNetwork::rule).toList(), neighbours,
                sources.clock());
    }

    /** What machines are told to come back to: decided once, for the ProxyDHCP and the URLs alike. */
    private static BootEndpoint endpoint(ApplianceConfig config) {
        if (!config.dhcp().enabled() && !config.http().enabled()) {
            return null;
        }
        Inet4Address server = AdvertisedAddress.resolve(config.serverAddress(), config.dhcp().interfaceName());
        return new BootEndpoint(server, config.http().port());
    }

    /** What a reload did: the pieces applied, the changed keys that wait for a restart, the pieces that failed and why. */
    record ReloadResult(List<String> applied, List<String> needRestart, List<String> errors) {
        ReloadResult {
            applied = List.copyOf(applied);
            needRestart = List.copyOf(needRestart);
            errors = List.copyOf(errors);
        }
    }

    /**
     * Applies {@code file}'s reloadable keys ({@link ApplianceConfig#RELOADABLE}) to the running
     * registry and services, each piece at once; every other key that differs from the config the
     * appliance runs with is reported as needing a restart, and not applied. One reload at a time.
     */
    synchronized ReloadResult reload(ApplianceConfig file) {
        ApplianceConfig running = context.config();
        List<String> needRestart = ChangedKeys.between(running, file).stream()
                .filter(key -> !ApplianceConfig.reloadable(key)).toList();
        ApplianceConfig next = running.withReloadable(file);
        Set<MacAddress> known = next.machines().knownMacs();
        context.registry().useKnown(known);
        List<ReloadedPiece> pieces = new ArrayList<>();
        pieces.add(ReloadedPiece.applied("machines.known", "machines: " + known.size()));
        for (AutoCloseable each : started) {
            if (each instanceof ApplianceService service) {
                pieces.addAll(service.reload(next));
            }
        }
        if (!needRestart.isEmpty()) {
            LOG.log(Level.WARNING, "reload: not applied, these need a restart: {0}", String.join(", ", needRestart));
        }
        List<String> applied = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (ReloadedPiece piece : pieces) {
            if (piece.error().isPresent()) {
                LOG.log(Level.ERROR, "reload: {0} kept as it was: {1}", piece.key(), piece.error().get());
                errors.add(piece.key() + ": " + piece.error().get());
            } else {
                applied.add(piece.key());
                summaries.add(piece.key() + " (" + piece.holds() + ")");
            }
        }
        LOG.log(Level.INFO, "reloaded: {0}", String.join(", ", summaries));
        return new ReloadResult(applied, needRestart, errors);
    }

    /** The services started, in start order, as the status endpoint shows them. */
    private List<ServiceStatus> serviceStatuses() {
        return started.stream().filter(ApplianceService.class::isInstance)
                .map(each -> ((ApplianceService) each).status()).toList();
    }

    /** The HTTP port machines are told, the bound one when the config said 0. */
    int httpPort() {
        return context.endpoint().httpPort();
    }

    /** The running appliance's context, for tests that feed it (PXE sightings) or look inside. */
    ServiceContext context() {
        return context;
    }

    /** A started service of this type, for tests that need its bound port. */
    <T extends ApplianceService> Optional<T> service(Class<T> type) {
        return started.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Synchronized with {@link #reload}: a reload in progress finishes before the services stop. */
    @Override
    public synchronized void close() {
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
