package io.metalboot.appliance.bootstrap;

import io.metalboot.appliance.registry.DeployRequest;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.appliance.registry.Transition;
import io.metalboot.bootstrap.BareMetalHost;
import io.metalboot.bootstrap.BareMetalHosts;
import io.metalboot.bootstrap.BootstrapException;
import io.metalboot.bootstrap.HostImage;
import io.metalboot.bootstrap.HostStatus;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.appliance.agent.DeployImages;
import java.io.IOException;
import java.net.URI;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * metalboot as Metal³'s provisioner, in baremetal-operator's place (never beside it): each pass
 * reads the BareMetalHosts, starts the deploy of a host's {@code spec.image} once its machine is
 * available and Cluster API's Metal³ provider has claimed it ({@code spec.consumerRef}, {@code
 * online}), and writes each host's status from its machine: provisioning state, the image, the
 * hardware from the inventory, power and operational status. A status is written only when it changed.
 */
final class Metal3Provisioner {
    private static final System.Logger LOG = System.getLogger("metalboot");
    private static final Set<String> FORMATS = Set.of("raw", "qcow2");

    private final BareMetalHosts hosts;
    private final MachineRegistry registry;
    private final boolean powersOffAfterInspection;
    private final Supplier<URI> provisioningBase;
    private final Supplier<DeployImages> catalog;
    /** What was last written for each host (namespace/name): the same status is not written again. */
    private final Map<String, HostStatus> written = new HashMap<>();
    /** Why a host's image could not be deployed, until its spec changes. */
    private final Map<String, String> refused = new HashMap<>();

    /**
     * @param provisioningBase where machines reach the appliance: a host image there ({@code /images/NAME})
     *                         is the catalog's, deployed through a URL signed for the machine
     * @param catalog          the image service's catalog, as the agent sessions know it
     */
    Metal3Provisioner(BareMetalHosts hosts, MachineRegistry registry, boolean powersOffAfterInspection,
            Supplier<URI> provisioningBase, Supplier<DeployImages> catalog) {
        this.hosts = hosts;
        this.registry = registry;
        this.powersOffAfterInspection = powersOffAfterInspection;
        this.provisioningBase = provisioningBase;
        this.catalog = catalog;
    }

    /** One pass over the hosts; an error is logged and the next pass tries again (a periodic task must not die). */
    synchronized void sync() {
        List<BareMetalHost> all;
        try {
            all = hosts.list();
        } catch (BootstrapException | RuntimeException e) {
            LOG.log(Level.WARNING, "metal3: the BareMetalHosts could not be read: {0}", e.getMessage());
            return;
        }
        for (BareMetalHost host : all) {
            try {
                sync(host);
            } catch (BootstrapException | IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "metal3: {0}/{1}: {2}", host.namespace(), host.name(), e.getMessage());
            }
        }
    }

    private void sync(BareMetalHost host) throws BootstrapException, IOException {
        Optional<Machine> machine = registry.machine(host.bootMac());
        if (machine.isEmpty()) {
            return; // not booted yet: the host keeps the status it has
        }
        String key = host.namespace() + "/" + host.name();
        if (machine.get().state() == MachineState.AVAILABLE && host.image().isPresent() && host.consumed()
                && host.online()) {
            machine = Optional.of(deploy(host, machine.get(), key));
        }
        HostStatus status = status(host, machine.get(), Optional.ofNullable(refused.get(key)));
        if (!status.equals(written.get(key))) {
            hosts.writeStatus(host, status);
            written.put(key, status);
            LOG.log(Level.INFO, "metal3: {0}: {1}, {2}", key, status.provisioningState(), status.operationalStatus());
        }
    }

    /** The deploy of the host's image (its checksum and hints), or the reason it cannot start, kept for the status. */
    private Machine deploy(BareMetalHost host, Machine machine, String key) throws IOException {
        HostImage image = host.image().orElseThrow();
        String format = image.format() == null || image.format().isBlank() ? "detect"
                : image.format().toLowerCase(Locale.ROOT);
        if (image.checksumIsUrl()) {
            // the agent verifies against a value it is given; it fetches no checksum file
            refused.put(key, "spec.image.checksum is a URL (a checksum file); metalboot needs the checksum itself");
            return machine;
        }
        String checksum;
        try {
            checksum = image.agentChecksum();
        } catch (RuntimeException e) {
            refused.put(key, "spec.image.checksum: " + e.getMessage());
            return machine;
        }
        if (!format.equals("detect") && !FORMATS.contains(format)) {
            refused.put(key, "spec.image.format " + image.format() + " is not one metalboot writes (raw, qcow2)");
            return machine;
        }
        refused.remove(key);
        String ownImages = provisioningBase.get().resolve("/images/").toString();
        String name = image.url().startsWith(ownImages) ? image.url().substring(ownImages.length()) : null;
        DeployRequest request = name != null && catalog.get().hasImage(name)
                // the appliance's own image: its catalog entry, through a URL signed for this machine and deploy
                ? new DeployRequest(UUID.randomUUID().toString(), name, null, null, null, host.rootDeviceHints(), false)
                : new DeployRequest(UUID.randomUUID().toString(), null, image.url(), checksum, format,
                        host.rootDeviceHints(), false);
        Machine started = registry.startDeploy(machine.mac(), request, "metal3 " + key);
        BootstrapRoutes.AUDIT.log(Level.INFO, "metal3 {0}: deploy {1} of {2} for BareMetalHost {3} (hints {4})",
                machine.mac(), request.id(), request.imageForDisplay(), key, request.rootDeviceHints());
        return started;
    }

    private HostStatus status(BareMetalHost host, Machine machine, Optional<String> refusal) {
        MachineState state = machine.state();
        MachineState shown = state == MachineState.FAILED ? stateBeforeFailing(machine.mac()) : state;
        String provisioning = switch (shown) {
            case DISCOVERED -> "registering";
            case INSPECTING -> "inspecting";
            case AVAILABLE -> "available";
            case PROVISIONING -> "provisioning";
            case PROVISIONED, JOINED -> "provisioned";
            case FAILED -> "inspecting"; // failed from the start: shown as where it was going
        };
        boolean deployed = shown == MachineState.PROVISIONING || shown == MachineState.PROVISIONED
                || shown == MachineState.JOINED;
        Optional<String> error = state == MachineState.FAILED ? machine.failureReason().or(() -> Optional.of("failed"))
                : refusal;
        boolean poweredOn = !(state == MachineState.AVAILABLE && powersOffAfterInspection);
        return new HostStatus(provisioning, deployed ? host.image() : Optional.empty(), registry.inventory(machine.mac()),
                poweredOn, error.isPresent() ? "error" : "OK", error);
    }

    private MachineState stateBeforeFailing(MacAddress mac) {
        List<Transition> history = registry.history(mac);
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).to() == MachineState.FAILED && history.get(i).from().isPresent()) {
                return history.get(i).from().get();
            }
        }
        return MachineState.FAILED;
    }
}
