package io.metalboot.bootstrap;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Bootstrap data the Cluster API way, without Metal³: a table maps the machine (by MAC address,
 * then SMBIOS UUID, then serial number; the first mapping of the first kind that matches) to a
 * Machine, whose {@code spec.bootstrap.dataSecretName} names the bootstrap Secret CABPK (or any
 * bootstrap provider) wrote: key {@code value} the data, key {@code format} "cloud-config" or
 * "ignition" (absent: cloud-config, as the contract allows).
 *
 * <p>The Machine is read as {@code cluster.x-k8s.io/v1beta2}, then {@code v1beta1} when the API
 * server serves no v1beta2 (Cluster API before 1.11); both spell the field
 * {@code spec.bootstrap.dataSecretName}. No Machine, or no dataSecretName yet (the bootstrap
 * provider has not rendered it): empty, the machine waits. A named Secret that is missing or has
 * no {@code value}: {@link BootstrapException}.
 *
 * <p>Meta-data: {@code uuid} the Machine's uid, {@code name}, {@code local-hostname} and
 * {@code local_hostname} the Machine's name (the keys CABPK's templates and cloud-init read).
 */
public final class CabpkMachineSource implements BootstrapSource {
    static final ResourceDefinitionContext MACHINE_V1BETA2 = machine("v1beta2");
    static final ResourceDefinitionContext MACHINE_V1BETA1 = machine("v1beta1");
    private static final List<ResourceDefinitionContext> MACHINE_VERSIONS = List.of(MACHINE_V1BETA2, MACHINE_V1BETA1);

    private final KubernetesClient client;
    private final List<MachineMapping> mappings;

    public CabpkMachineSource(KubernetesClient client, List<MachineMapping> mappings) {
        this.client = Objects.requireNonNull(client, "client");
        this.mappings = List.copyOf(mappings);
    }

    private static ResourceDefinitionContext machine(String version) {
        return new ResourceDefinitionContext.Builder().withGroup("cluster.x-k8s.io").withVersion(version)
                .withKind("Machine").withPlural("machines").withNamespaced(true).build();
    }

    @Override
    public Optional<BootstrapData> find(MachineKeys keys) throws BootstrapException {
        Optional<MachineMapping> mapping = mapping(keys);
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        String namespace = mapping.get().namespace();
        String name = mapping.get().machineName();
        Optional<GenericKubernetesResource> machine = Optional.empty();
        String version = null;
        for (ResourceDefinitionContext type : MACHINE_VERSIONS) {
            machine = ApiObjects.get(client, type, namespace, name);
            if (machine.isPresent()) {
                version = type.getVersion();
                break;
            }
        }
        if (machine.isEmpty()) {
            return Optional.empty();
        }
        String describe = "Machine " + namespace + "/" + name + " (cluster.x-k8s.io/" + version + ")";
        String secretName = ApiObjects.text(machine.get().getAdditionalProperties(), "spec", "bootstrap",
                "dataSecretName");
        if (secretName == null) {
            return Optional.empty();
        }
        SecretRef ref = new SecretRef(namespace, secretName);
        Secret secret = ApiObjects.requiredSecret(client, ref, describe + " spec.bootstrap.dataSecretName");
        byte[] value = ApiObjects.secretKey(secret, "value", null)
                .orElseThrow(() -> new BootstrapException(ref + " (" + describe + " bootstrap data) has no key value"));
        BootstrapFormat bootstrapFormat = ApiObjects.format(secret, ref);
        Map<String, Object> metaData = new LinkedHashMap<>();
        String uid = machine.get().getMetadata().getUid();
        if (uid != null && !uid.isEmpty()) {
            metaData.put("uuid", uid);
        }
        metaData.put("name", name);
        metaData.put("local-hostname", name);
        metaData.put("local_hostname", name);
        return Optional.of(new BootstrapData(bootstrapFormat, value, metaData, Optional.empty(),
                ref + " (" + describe + ")"));
    }

    private Optional<MachineMapping> mapping(MachineKeys keys) {
        for (String kind : List.of(MachineMapping.MAC, MachineMapping.UUID, MachineMapping.SERIAL)) {
            for (MachineMapping mapping : mappings) {
                if (mapping.match().equals(kind) && mapping.matches(keys)) {
                    return Optional.of(mapping);
                }
            }
        }
        return Optional.empty();
    }
}
