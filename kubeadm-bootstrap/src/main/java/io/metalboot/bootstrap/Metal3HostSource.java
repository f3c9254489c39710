package io.metalboot.bootstrap;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Bootstrap data the Metal³ way: the BareMetalHost whose {@code spec.bootMACAddress} is the
 * machine's, its {@code spec.userData} Secret (key {@code userData}, else {@code value}, as
 * Metal³'s host config data reads it) as the value, cloud-config unless the Secret's
 * {@code format} key says ignition. Meta-data is Metal³'s default ({@code uuid} the host's uid,
 * {@code metal3-namespace}, {@code metal3-name}, {@code local-hostname}, {@code local_hostname},
 * {@code name} the host's name) overlaid with the map in the {@code spec.metaData} Secret (key
 * {@code metaData}, else {@code value}; YAML or JSON); network data is the {@code spec.networkData}
 * Secret's (key {@code networkData}, else {@code value}), given as JSON, YAML turned to JSON.
 * Like Metal³, referenced Secrets must be in the host's namespace. A host without userData has
 * no bootstrap data: empty. UUID and serial are not used: a BareMetalHost names only its MAC.
 */
public final class Metal3HostSource implements BootstrapSource {
    private final BareMetalHosts hosts;
    private final KubernetesClient client;

    public Metal3HostSource(BareMetalHosts hosts) {
        this.hosts = Objects.requireNonNull(hosts, "hosts");
        this.client = hosts.client();
    }

    @Override
    public Optional<BootstrapData> find(MachineKeys keys) throws BootstrapException {
        Optional<BareMetalHost> found = hosts.byBootMac(keys.mac());
        if (found.isEmpty() || found.get().userData().isEmpty()) {
            return Optional.empty();
        }
        BareMetalHost host = found.get();
        SecretRef userDataRef = host.userData().get();
        Secret userData = secret(host, userDataRef, "userData");
        byte[] value = ApiObjects.secretKey(userData, "userData", "value").orElseThrow(() -> new BootstrapException(
                userDataRef + " (" + host.describe() + " userData) has neither key userData nor value"));
        BootstrapFormat format = ApiObjects.format(userData, userDataRef);
        return Optional.of(new BootstrapData(format, value, metaData(host), networkData(host),
                userDataRef + " (" + host.describe() + " userData)"));
    }

    private Secret secret(BareMetalHost host, SecretRef ref, String field) throws BootstrapException {
        if (!ref.namespace().equals(host.namespace())) {
            throw new BootstrapException(host.describe() + ": its " + field + " " + ref
                    + " must be in the host's namespace, as Metal³ requires");
        }
        return ApiObjects.requiredSecret(client, ref, host.describe() + " " + field);
    }

    private Map<String, Object> metaData(BareMetalHost host) throws BootstrapException {
        Map<String, Object> metaData = new LinkedHashMap<>();
        metaData.put("uuid", host.uid());
        metaData.put("metal3-namespace", host.namespace());
        metaData.put("metal3-name", host.name());
        metaData.put("local-hostname", host.name());
        metaData.put("local_hostname", host.name());
        metaData.put("name", host.name());
        if (host.metaData().isPresent()) {
            SecretRef ref = host.metaData().get();
            Optional<byte[]> text = ApiObjects.secretKey(secret(host, ref, "metaData"), "metaData", "value");
            if (text.isPresent()) {
                metaData.putAll(ApiObjects.parseMap(text.get(), ref + " key metaData"));
            }
        }
        return metaData;
    }

    private Optional<String> networkData(BareMetalHost host) throws BootstrapException {
        if (host.networkData().isEmpty()) {
            return Optional.empty();
        }
        SecretRef ref = host.networkData().get();
        // Metal³: a networkData Secret without the key is no network data, not an error.
        Optional<byte[]> text = ApiObjects.secretKey(secret(host, ref, "networkData"), "networkData", "value");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ApiObjects.json(ApiObjects.parseMap(text.get(), ref + " key networkData")));
    }
}
