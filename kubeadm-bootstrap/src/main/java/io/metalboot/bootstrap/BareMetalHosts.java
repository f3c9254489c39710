package io.metalboot.bootstrap;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.metalboot.machine.MacAddress;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Metal³ BareMetalHosts ({@code metal3.io/v1alpha1}) of a management cluster: found by boot MAC
 * address, read into {@link BareMetalHost}s, their status written back through the status
 * subresource. Every call asks the API server; nothing is cached.
 */
public final class BareMetalHosts {
    static final ResourceDefinitionContext TYPE = new ResourceDefinitionContext.Builder()
            .withGroup("metal3.io").withVersion("v1alpha1").withKind("BareMetalHost").withPlural("baremetalhosts")
            .withNamespaced(true).build();
    /** A status write that lost a race (HTTP 409) is read again and retried this many times in all. */
    private static final int WRITE_ATTEMPTS = 3;

    private final KubernetesClient client;
    private final Optional<String> namespace;

    /**
     * @param client    the management cluster
     * @param namespace the one namespace to look in; empty: all namespaces
     */
    public BareMetalHosts(KubernetesClient client, Optional<String> namespace) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace (empty: all)");
    }

    KubernetesClient client() {
        return client;
    }

    /**
     * The host whose {@code spec.bootMACAddress} is this address (in any case or separator form).
     * Hosts whose bootMACAddress does not parse are passed over.
     *
     * @throws BootstrapException when two hosts claim the address, or the list fails
     */
    public Optional<BareMetalHost> byBootMac(MacAddress mac) throws BootstrapException {
        List<GenericKubernetesResource> items = items();
        List<GenericKubernetesResource> matches = new ArrayList<>();
        for (GenericKubernetesResource item : items) {
            if (mac.equals(bootMac(item))) {
                matches.add(item);
            }
        }
        if (matches.size() > 1) {
            throw new BootstrapException("BareMetalHosts " + matches.stream().map(BareMetalHosts::describe).toList()
                    + " all have bootMACAddress " + mac);
        }
        return matches.isEmpty() ? Optional.empty() : Optional.of(toHost(matches.get(0), mac));
    }

    /**
     * Every host whose boot MAC parses, from one list call (a sync pass over hundreds of hosts asks
     * the API server once, not once per machine). Hosts that share a boot MAC are left out: which
     * machine they stand for is not known ({@link #byBootMac} names them).
     */
    public List<BareMetalHost> list() throws BootstrapException {
        Map<MacAddress, List<GenericKubernetesResource>> byMac = new LinkedHashMap<>();
        for (GenericKubernetesResource item : items()) {
            MacAddress mac = bootMac(item);
            if (mac != null) {
                byMac.computeIfAbsent(mac, m -> new ArrayList<>()).add(item);
            }
        }
        List<BareMetalHost> hosts = new ArrayList<>();
        byMac.forEach((mac, claimed) -> {
            if (claimed.size() == 1) {
                hosts.add(toHost(claimed.get(0), mac));
            }
        });
        return hosts;
    }

    private List<GenericKubernetesResource> items() throws BootstrapException {
        try {
            var hosts = client.genericKubernetesResources(TYPE);
            return (namespace.isPresent() ? hosts.inNamespace(namespace.get()).list() : hosts.inAnyNamespace().list())
                    .getItems();
        } catch (KubernetesClientException e) {
            throw ApiObjects.failure("listing BareMetalHosts in " + namespace.orElse("all namespaces"), e);
        }
    }

    /**
     * Writes the status through the status subresource ({@code PUT …/status}): the host's spec is
     * never sent. The status fields Metal³ has and this does not write (operationHistory,
     * goodCredentials, conditions, …) are kept as they are.
     *
     * @throws BootstrapException when the host is gone or was replaced (another uid), the inventory
     *                            is no JSON object, or the API server refuses the write
     */
    public void writeStatus(BareMetalHost host, HostStatus status) throws BootstrapException {
        Map<String, Object> hardware = status.inventoryJson().isPresent()
                ? Metal3HardwareDetails.fromInventory(status.inventoryJson().get()) : null;
        for (int attempt = 1; ; attempt++) {
            GenericKubernetesResource current = ApiObjects.get(client, TYPE, host.namespace(), host.name())
                    .orElseThrow(() -> new BootstrapException(host.describe() + " not found to write its status"));
            String uid = current.getMetadata().getUid();
            if (!host.uid().isEmpty() && !host.uid().equals(uid)) {
                throw new BootstrapException(host.describe() + " was replaced (uid " + uid + ", not " + host.uid()
                        + "): its status is not written");
            }
            current.getAdditionalProperties().put("status", merged(ApiObjects.part(current, "status"), status, hardware));
            try {
                client.genericKubernetesResources(TYPE).inNamespace(host.namespace()).resource(current).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == WRITE_ATTEMPTS) {
                    throw ApiObjects.failure("writing the status of " + host.describe(), e);
                }
            }
        }
    }

    private static Map<String, Object> merged(Map<String, Object> old, HostStatus status, Map<String, Object> hardware) {
        Map<String, Object> next = new LinkedHashMap<>(old);
        Map<String, Object> provisioning = ApiObjects.stringKeys(old.get("provisioning"));
        provisioning.put("state", status.provisioningState());
        provisioning.putIfAbsent("ID", "");
        status.provisionedImage().ifPresentOrElse(i -> provisioning.put("image", imageMap(i)),
                () -> provisioning.remove("image"));
        next.put("provisioning", provisioning);
        if (hardware != null) {
            next.put("hardware", hardware);
        }
        next.put("poweredOn", status.poweredOn());
        next.put("operationalStatus", status.operationalStatus());
        next.put("errorMessage", status.errorMessage().orElse(""));
        // required by Metal³'s CRD; the appliance keeps no counts of its own
        next.putIfAbsent("errorCount", 0);
        next.putIfAbsent("provisioningFailCount", 0);
        next.put("lastUpdated", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return next;
    }

    private static Map<String, Object> imageMap(HostImage image) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("url", image.url());
        if (!image.checksum().isEmpty()) {
            map.put("checksum", image.checksum());
        }
        if (!image.checksumType().isEmpty()) {
            map.put("checksumType", image.checksumType());
        }
        if (!image.format().isEmpty()) {
            map.put("format", image.format());
        }
        return map;
    }

    private static MacAddress bootMac(GenericKubernetesResource item) {
        String text = ApiObjects.text(item.getAdditionalProperties(), "spec", "bootMACAddress");
        if (text == null) {
            return null;
        }
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static BareMetalHost toHost(GenericKubernetesResource item, MacAddress mac) {
        String namespace = item.getMetadata().getNamespace();
        Map<String, Object> spec = ApiObjects.part(item, "spec");
        Optional<HostImage> image = Optional.ofNullable(ApiObjects.text(spec, "image", "url"))
                .map(url -> new HostImage(url, ApiObjects.text(spec, "image", "checksum"),
                        ApiObjects.text(spec, "image", "checksumType"), ApiObjects.text(spec, "image", "format")));
        return new BareMetalHost(namespace, item.getMetadata().getName(), item.getMetadata().getUid(), mac, image,
                Metal3RootDeviceHints.toAgentHints(ApiObjects.stringKeys(spec.get("rootDeviceHints"))),
                spec.get("consumerRef") instanceof Map<?, ?>, secretRef(spec, "userData", namespace),
                networkData(spec, namespace), secretRef(spec, "metaData", namespace),
                Boolean.TRUE.equals(spec.get("online")));
    }

    /** {@code spec.networkData}, else (as Metal³ falls back) the Secret {@code preprovisioningNetworkDataName}. */
    private static Optional<SecretRef> networkData(Map<String, Object> spec, String hostNamespace) {
        return secretRef(spec, "networkData", hostNamespace).or(() -> Optional
                .ofNullable(ApiObjects.text(spec, "preprovisioningNetworkDataName"))
                .map(name -> new SecretRef(hostNamespace, name)));
    }

    private static Optional<SecretRef> secretRef(Map<String, Object> spec, String field, String hostNamespace) {
        String name = ApiObjects.text(spec, field, "name");
        if (name == null) {
            return Optional.empty();
        }
        String namespace = ApiObjects.text(spec, field, "namespace");
        return Optional.of(new SecretRef(namespace == null ? hostNamespace : namespace, name));
    }

    private static String describe(GenericKubernetesResource item) {
        return item.getMetadata().getNamespace() + "/" + item.getMetadata().getName();
    }
}
