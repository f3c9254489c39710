package io.metalboot.appliance.bootstrap;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.metalboot.appliance.ApplianceService;
import io.metalboot.appliance.ServiceContext;
import io.metalboot.appliance.ServiceStatus;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.bootstrap.BareMetalHosts;
import io.metalboot.bootstrap.BootstrapSource;
import io.metalboot.bootstrap.CabpkMachineSource;
import io.metalboot.bootstrap.DirectoryBootstrapSource;
import io.metalboot.bootstrap.MachineMapping;
import io.metalboot.bootstrap.ManagementCluster;
import io.metalboot.bootstrap.Metal3HostSource;
import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bootstrap data in the appliance ({@code bootstrap:} in the config): the sources (kubeadm-bootstrap's
 * Metal³ hosts, Cluster API machines, directory), the delivery and node-report endpoints on the
 * provisioning listener, the no-report timeout, and, with Metal³ on, the host sync. Off when HTTP
 * is off (no agent could ask, no node report).
 */
public final class BootstrapService implements ApplianceService {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private final MachineRegistry registry;
    private final Duration reportTimeout;
    private final Optional<KubernetesClient> cluster;
    private final Optional<Metal3Provisioner> metal3;
    private final int syncSeconds;
    private final String described;
    private ScheduledExecutorService timer;

    private BootstrapService(MachineRegistry registry, Duration reportTimeout, Optional<KubernetesClient> cluster,
            Optional<Metal3Provisioner> metal3, int syncSeconds, String described) {
        this.registry = registry;
        this.reportTimeout = reportTimeout;
        this.cluster = cluster;
        this.metal3 = metal3;
        this.syncSeconds = syncSeconds;
        this.described = described;
    }

    public static Optional<ApplianceService> from(ServiceContext context) throws IOException {
        ApplianceConfig config = context.config();
        if (!config.http().enabled()) {
            LOG.log(Level.INFO, "bootstrap disabled (http.enabled: false: no agent could fetch it, no node report)");
            return Optional.empty();
        }
        ApplianceConfig.Bootstrap settings = config.bootstrap();
        Optional<KubernetesClient> cluster = settings.kubeconfig() == null ? Optional.empty()
                : Optional.of(ManagementCluster.connect(Path.of(settings.kubeconfig())));
        List<BootstrapSource> sources = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Optional<Metal3Provisioner> metal3 = Optional.empty();
        Supplier<URI> provisioningBase = () -> URI.create(context.endpoint().expand(config.boot().baseUrl()));
        if (settings.metal3().enabled()) {
            BareMetalHosts hosts = new BareMetalHosts(cluster.orElseThrow(), Optional.ofNullable(settings.metal3()
                    .namespace()));
            sources.add(new Metal3HostSource(hosts));
            names.add("Metal³ BareMetalHosts (" + (settings.metal3().namespace() == null ? "all namespaces"
                    : "namespace " + settings.metal3().namespace()) + ")");
            metal3 = Optional.of(new Metal3Provisioner(hosts, context.registry(),
                    config.agents().powerOffAfterInspection(), provisioningBase, context.agents()::deployImages));
        }
        if (!settings.machines().isEmpty()) {
            sources.add(new CabpkMachineSource(cluster.orElseThrow(), settings.machines().stream()
                    .map(BootstrapService::mapping).toList()));
            names.add(settings.machines().size() + " Cluster API machines");
        }
        if (settings.directory() != null) {
            sources.add(new DirectoryBootstrapSource(Path.of(settings.directory())));
            names.add("directory " + settings.directory());
        }
        BootstrapRoutes routes = new BootstrapRoutes(context.registry(), new BootstrapSources(sources), provisioningBase,
                settings.configDrive());
        context.routes().addProvisioning(routes.routes());
        return Optional.of(new BootstrapService(context.registry(), Duration.ofMinutes(settings.reportTimeoutMinutes()),
                cluster, metal3, settings.metal3().syncSeconds(), names.isEmpty() ? "no source" : String.join(", ", names)));
    }

    private static MachineMapping mapping(ApplianceConfig.BootstrapMachine machine) {
        if (machine.mac() != null) {
            return new MachineMapping("mac", MacAddress.parse(machine.mac()).toString(), machine.namespace(),
                    machine.machine());
        }
        return machine.uuid() != null ? new MachineMapping("uuid", machine.uuid(), machine.namespace(), machine.machine())
                : new MachineMapping("serial", machine.serial(), machine.namespace(), machine.machine());
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("bootstrap").factory());
        timer.scheduleWithFixedDelay(this::failUnreported, 30, 30, TimeUnit.SECONDS);
        metal3.ifPresent(sync -> timer.scheduleWithFixedDelay(sync::sync, 0, syncSeconds, TimeUnit.SECONDS));
        LOG.log(Level.INFO, "bootstrap: {0}; nodes report within {1} min", described,
                Long.toString(reportTimeout.toMinutes()));
    }

    /** One timeout pass; an error is logged and the next pass tries again. */
    public void failUnreported() {
        try {
            List<MacAddress> late = registry.failUnreported(reportTimeout);
            if (!late.isEmpty()) {
                LOG.log(Level.WARNING, "no node report within {0} min: {1} failed", Long.toString(reportTimeout
                        .toMinutes()), late);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not fail the unreported nodes: {0}", e.toString());
        }
    }

    @Override
    public ServiceStatus status() {
        return ServiceStatus.of("bootstrap");
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        cluster.ifPresent(KubernetesClient::close);
    }
}
