package io.metalboot.bootstrap;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** The YAML fixtures, loaded into the mock API server as a client would create them. */
final class ClusterFixtures {
    /** The join token in the metal3 CABPK vector: it must never reach a message or a toString. */
    static final String JOIN_TOKEN = "t6ce1o.wkyg0xd1di0itgau";
    static final ResourceDefinitionContext MACHINE_V1BETA1 = CabpkMachineSource.MACHINE_V1BETA1;
    static final ResourceDefinitionContext MACHINE_V1BETA2 = CabpkMachineSource.MACHINE_V1BETA2;

    private ClusterFixtures() {
    }

    static byte[] bytes(String resource) {
        try (InputStream in = ClusterFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] metal3Vector() {
        return bytes("worker-join-metal3.cloud-config");
    }

    static byte[] minimalVector() {
        return bytes("worker-join-minimal.cloud-config");
    }

    /** Creates every object in the YAML resource, custom resources under their own type. */
    static void apply(KubernetesClient client, String resource) {
        try (InputStream in = ClusterFixtures.class.getResourceAsStream(resource)) {
            for (HasMetadata item : client.load(in).items()) {
                if (item instanceof GenericKubernetesResource generic) {
                    client.genericKubernetesResources(typeOf(generic)).inNamespace(generic.getMetadata().getNamespace())
                            .resource(generic).create();
                } else {
                    client.resource(item).create();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ResourceDefinitionContext typeOf(GenericKubernetesResource resource) {
        return switch (resource.getApiVersion() + " " + resource.getKind()) {
            case "metal3.io/v1alpha1 BareMetalHost" -> BareMetalHosts.TYPE;
            case "cluster.x-k8s.io/v1beta1 Machine" -> MACHINE_V1BETA1;
            case "cluster.x-k8s.io/v1beta2 Machine" -> MACHINE_V1BETA2;
            default -> throw new IllegalArgumentException(resource.getApiVersion() + " " + resource.getKind());
        };
    }

    /** Replaces one key of a Secret (as kubectl edit would). */
    static void putSecretKey(KubernetesClient client, String namespace, String name, String key, byte[] value) {
        Secret secret = client.resources(Secret.class).inNamespace(namespace).withName(name).get();
        Secret edited = new SecretBuilder(secret).addToData(key, Base64.getEncoder().encodeToString(value)).build();
        client.resources(Secret.class).inNamespace(namespace).resource(edited).update();
    }

    static GenericKubernetesResource get(KubernetesClient client, ResourceDefinitionContext type, String namespace,
            String name) {
        return client.genericKubernetesResources(type).inNamespace(namespace).withName(name).get();
    }

    static Map<String, Object> part(GenericKubernetesResource resource, String part) {
        return ApiObjects.part(resource, part);
    }

    /**
     * The text shows neither the join token nor any line (of 8 characters or more) of the secret
     * value, its header comments ("#cloud-config", "## template: jinja") aside: messages name them.
     */
    static void assertNoSecret(String text, byte[] secretValue) {
        assertFalse(text.contains(JOIN_TOKEN), () -> "the join token in: " + text);
        for (String line : new String(secretValue, StandardCharsets.UTF_8).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.length() >= 8 && !trimmed.startsWith("#")) {
                assertFalse(text.contains(trimmed), () -> "a line of the secret value in: " + text);
            }
        }
    }
}
