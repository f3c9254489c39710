package io.metalboot.bootstrap;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads of API objects as the sources need them: one object by name, a Secret's key, a field
 * by its path, YAML or JSON maps. Failures become {@link BootstrapException}s that name the
 * object and the HTTP status, never what the object holds (a parser's message may quote the
 * text it choked on, so parse failures carry no cause).
 */
final class ApiObjects {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ApiObjects() {
    }

    /** The object, or empty when the API server says 404 (which it also says for an unserved version). */
    static Optional<GenericKubernetesResource> get(KubernetesClient client, ResourceDefinitionContext type,
            String namespace, String name) throws BootstrapException {
        try {
            return Optional.ofNullable(client.genericKubernetesResources(type).inNamespace(namespace).withName(name).get());
        } catch (KubernetesClientException e) {
            throw failure("reading " + type.getKind() + " " + namespace + "/" + name, e);
        }
    }

    /** The Secret, or empty when there is none. */
    static Optional<Secret> secret(KubernetesClient client, SecretRef ref) throws BootstrapException {
        try {
            return Optional.ofNullable(client.resources(Secret.class).inNamespace(ref.namespace()).withName(ref.name()).get());
        } catch (KubernetesClientException e) {
            throw failure("reading " + ref, e);
        }
    }

    /** The Secret, which must exist. */
    static Secret requiredSecret(KubernetesClient client, SecretRef ref, String referrer) throws BootstrapException {
        return secret(client, ref).orElseThrow(() -> new BootstrapException(ref + " (" + referrer + ") not found"));
    }

    /** The bytes under {@code key}, else under {@code fallback} (null: none), else empty. */
    static Optional<byte[]> secretKey(Secret secret, String key, String fallback) throws BootstrapException {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        String encoded = data.get(key);
        if (encoded == null && fallback != null) {
            encoded = data.get(fallback);
        }
        if (encoded == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getMimeDecoder().decode(encoded));
        } catch (IllegalArgumentException e) {
            throw new BootstrapException("Secret " + secret.getMetadata().getNamespace() + "/"
                    + secret.getMetadata().getName() + ": key " + key + " is not base64");
        }
    }

    /** The Secret's {@code format} key: cloud-config when absent (as the Cluster API contract allows). */
    static BootstrapFormat format(Secret secret, SecretRef ref) throws BootstrapException {
        Optional<byte[]> format = secretKey(secret, "format", null);
        if (format.isEmpty()) {
            return BootstrapFormat.CLOUD_CONFIG;
        }
        String name = new String(format.get(), StandardCharsets.UTF_8).strip();
        try {
            return BootstrapFormat.ofWireName(name);
        } catch (IllegalArgumentException e) {
            throw new BootstrapException(ref + ": key format is cloud-config or ignition, not '" + name + "'");
        }
    }

    static BootstrapException failure(String action, KubernetesClientException e) {
        String reason = e.getStatus() != null && e.getStatus().getReason() != null ? " " + e.getStatus().getReason() : "";
        String detail = e.getCode() > 0 ? "HTTP " + e.getCode() + reason
                : (e.getCause() != null ? e.getCause().getClass().getSimpleName() : e.getClass().getSimpleName());
        // The client's own message is left out: it may quote the request body (a status we wrote).
        return new BootstrapException(action + " failed: " + detail, e.getCause());
    }

    /** The value at {@code path} below {@code root}: nested maps, null when any step is missing. */
    static Object at(Object root, String... path) {
        Object here = root;
        for (String step : path) {
            if (!(here instanceof Map<?, ?> map)) {
                return null;
            }
            here = map.get(step);
        }
        return here;
    }

    /** The text at {@code path}, null when missing, empty or not text. */
    static String text(Object root, String... path) {
        return at(root, path) instanceof String s && !s.isEmpty() ? s : null;
    }

    /** A resource's spec or status as a map (copied, string keys), empty when absent. */
    static Map<String, Object> part(GenericKubernetesResource resource, String part) {
        return stringKeys(resource.getAdditionalProperties().get(part));
    }

    static Map<String, Object> stringKeys(Object value) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        }
        return copy;
    }

    static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }

    /**
     * A YAML or JSON object (JSON is YAML) parsed to a map; empty text is an empty map.
     *
     * @param what names the text in the exception, e.g. "Secret metal3/host-0-meta-data key metaData"
     */
    static Map<String, Object> parseMap(byte[] text, String what) throws BootstrapException {
        String string = new String(text, StandardCharsets.UTF_8);
        if (string.isBlank()) {
            return new LinkedHashMap<>();
        }
        Object parsed;
        try {
            parsed = SERIALIZATION.unmarshal(string, Object.class);
        } catch (RuntimeException e) {
            throw new BootstrapException(what + " is neither YAML nor JSON");
        }
        if (parsed != null && !(parsed instanceof Map<?, ?>)) {
            throw new BootstrapException(what + " is not a YAML or JSON object");
        }
        return stringKeys(parsed);
    }

    static String json(Object value) {
        return SERIALIZATION.asJson(value);
    }
}
