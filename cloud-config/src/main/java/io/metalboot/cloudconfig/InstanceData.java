package io.metalboot.cloudconfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What cloud-init knows about the instance when it renders a template, for Metal³'s ConfigDrive
 * (Ironic writes {@code meta_data.json}: {@code uuid}, {@code name}, {@code local-hostname},
 * {@code local_hostname}, {@code metal3-name}, {@code metal3-namespace}, …).
 *
 * <p>Templates see it as cloud-init 22.4/23.x exposes it: {@code ds.meta_data.*} (the meta data
 * with the OpenStack reader's copies {@code instance-id} ← {@code uuid} and {@code local-hostname}
 * ← {@code hostname}, and for every key holding a Jinja operator such as {@code -} or {@code .} an
 * alias with underscores), and the standardized {@code v1.*} keys, also at the top level. Only the
 * {@code v1} keys that follow from the meta data are answered; the rest (distro, kernel, python
 * version …) are known only on the node and are refused.
 *
 * @param metaData the instance's meta data; copied, values may be null
 */
public record InstanceData(Map<String, Object> metaData) {
    /** The characters (and pairs) Jinja's lexer reads as operators; cloud-init aliases them to "_". */
    private static final Pattern JINJA_OPERATOR = Pattern.compile("//|\\*\\*|==|!=|>=|<=|[-+/*%~\\[\\](){}<>=.:|,;]");
    /** v1 keys that exist but depend on the node itself, not on its meta data. */
    private static final Set<String> V1_NODE_KEYS = Set.of("_beta_keys", "distro", "distro_version",
            "distro_release", "kernel_release", "machine", "python_version", "subplatform", "system_platform",
            "variant", "public_ssh_keys");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    public InstanceData {
        metaData = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metaData, "metaData")));
    }

    /** {@code v1.instance_id}: the meta data's uuid, which the ConfigDrive reader requires. */
    Optional<String> instanceId() {
        Object uuid = metaData.get("uuid");
        return uuid == null ? Optional.empty() : Optional.of(String.valueOf(uuid));
    }

    /** The meta data as {@code ds.meta_data} holds it: the OpenStack reader's key copies applied. */
    Map<String, Object> datasourceMetaData() {
        Map<String, Object> view = new LinkedHashMap<>(metaData);
        if (metaData.containsKey("hostname")) {
            view.put("local-hostname", metaData.get("hostname"));
        }
        if (metaData.containsKey("uuid")) {
            view.put("instance-id", metaData.get("uuid"));
        }
        return view;
    }

    /**
     * The value a dotted template variable names.
     *
     * @return empty when no such variable exists
     * @throws CloudConfigException.Unsupported for a variable cloud-init has but that is known only on the node
     */
    Optional<Object> lookup(List<String> path) throws CloudConfigException {
        String root = path.get(0);
        if (root.equals("ds")) {
            if (path.size() < 2 || !path.get(1).equals("meta_data")) {
                throw new CloudConfigException.Unsupported("jinja: {{ " + String.join(".", path)
                        + " }}: of ds only ds.meta_data is known off the node");
            }
            return walk(datasourceMetaData(), path.subList(2, path.size()), "ds.meta_data");
        }
        if (root.equals("v1")) {
            if (path.size() != 2) {
                throw new CloudConfigException.Unsupported("jinja: {{ " + String.join(".", path)
                        + " }}: only v1.KEY is supported");
            }
            return v1(path.get(1));
        }
        // cloud-init copies the v1 keys to the top level as well.
        return path.size() == 1 ? v1(root) : Optional.empty();
    }

    private static Optional<Object> walk(Object node, List<String> keys, String where) throws CloudConfigException {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return Optional.empty();
            }
            Map<String, Object> withAliases = withAliases(map);
            if (!withAliases.containsKey(key)) {
                return Optional.empty();
            }
            current = withAliases.get(key);
        }
        if (current instanceof Map<?, ?> || current instanceof List<?>) {
            throw new CloudConfigException.Unsupported("jinja: {{ " + where + (keys.isEmpty() ? "" : "." + String.join(".", keys))
                    + " }} is a " + (current instanceof Map<?, ?> ? "mapping" : "list")
                    + " (Jinja would print Python's repr of it)");
        }
        return Optional.ofNullable(current).or(() -> Optional.of(PythonNone.NONE));
    }

    /** A map's keys plus cloud-init's underscore aliases; a real key wins over an alias of the same name. */
    private static Map<String, Object> withAliases(Map<?, ?> map) {
        Map<String, Object> aliases = new LinkedHashMap<>();
        Map<String, Object> real = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            real.put(key, e.getValue());
            String alias = JINJA_OPERATOR.matcher(key).replaceAll("_");
            if (!alias.equals(key)) {
                aliases.put(alias, e.getValue());
            }
        }
        aliases.putAll(real);
        return aliases;
    }

    private Optional<Object> v1(String key) throws CloudConfigException {
        Map<String, Object> meta = datasourceMetaData();
        switch (key) {
            case "instance_id", "instance-id" -> {
                return Optional.ofNullable(meta.get("instance-id")).map(String::valueOf);
            }
            case "local_hostname", "local-hostname" -> {
                Object host = meta.get("local-hostname");
                if (host == null || String.valueOf(host).isEmpty()) {
                    throw new CloudConfigException.Unsupported("jinja: {{ v1." + key
                            + " }}: meta_data has no local-hostname (cloud-init would use the node's own hostname)");
                }
                return Optional.of(shortHostname(String.valueOf(host)));
            }
            case "cloud_name", "cloud-name" -> {
                return Optional.of(cloudName(meta));
            }
            case "cloud_id" -> {
                if (meta.get("region") != null) {
                    throw new CloudConfigException.Unsupported("jinja: {{ v1.cloud_id }} with a region in meta_data"
                            + " (cloud-init maps regions to cloud ids by a table)");
                }
                return Optional.of(cloudName(meta));
            }
            case "platform" -> {
                return Optional.of("openstack");
            }
            case "availability_zone", "availability-zone" -> {
                Object zone = firstNonNull(meta.get("availability-zone"), meta.get("availability_zone"),
                        meta.get("placement") instanceof Map<?, ?> p ? p.get("availability-zone") : null);
                return Optional.ofNullable(zone).map(String::valueOf);
            }
            case "region" -> {
                return Optional.ofNullable(meta.get("region")).map(String::valueOf);
            }
            default -> {
                if (V1_NODE_KEYS.contains(key)) {
                    throw new CloudConfigException.Unsupported("jinja: {{ v1." + key
                            + " }} is known only on the node, not from its meta data");
                }
                return Optional.empty();
            }
        }
    }

    /** The datasource's cloud name: meta data's cloud-name, else the datasource's own name. */
    private static String cloudName(Map<String, Object> meta) {
        return meta.get("cloud-name") instanceof String name ? name.toLowerCase(java.util.Locale.ROOT) : "configdrive";
    }

    /** cloud-init's get_hostname(fqdn=False): the first label, or ip-a-b-c-d for an IPv4 address. */
    private static String shortHostname(String host) {
        if (IPV4.matcher(host).matches()) {
            return "ip-" + host.replace('.', '-');
        }
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    private static Object firstNonNull(Object... values) {
        for (Object v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** A null meta data value: Jinja prints Python's {@code None}. */
    enum PythonNone {
        NONE;

        @Override
        public String toString() {
            return "None";
        }
    }
}
