package io.metalboot.appliance.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.metalboot.appliance.evidence.EvidenceKind;
import io.metalboot.appliance.evidence.Ipv4Cidr;
import io.metalboot.appliance.evidence.NetworkRule;
import io.metalboot.dhcp.proxy.ProxyDhcpSettings;
import io.metalboot.machine.LabelSyntax;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.SmbiosUuid;
import io.metalboot.machine.UrlTemplate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The appliance's one config file, as bound from YAML. Defaults are not in code: they live in
 * {@code metalboot-defaults.yaml}, the documented file that every user file is laid over. Every
 * value that can be checked without the host (MACs, UUIDs, labels, URL placeholders) is checked
 * here, so that its error names the file and line; what needs the host (interfaces, directories,
 * ports) is checked by each service's translation at start.
 */
public record ApplianceConfig(
        @JsonProperty(value = "log-level", required = true) String logLevel,
        @JsonProperty("server-address") String serverAddress,
        @JsonProperty(value = "state-dir", required = true) String stateDir,
        @JsonProperty(value = "machines", required = true) Machines machines,
        @JsonProperty(value = "dhcp", required = true) Dhcp dhcp,
        @JsonProperty(value = "tftp", required = true) Tftp tftp,
        @JsonProperty(value = "http", required = true) Http http,
        @JsonProperty(value = "api", required = true) Api api,
        @JsonProperty(value = "agents", required = true) Agents agents,
        @JsonProperty(value = "boot", required = true) Boot boot,
        @JsonProperty(value = "images", required = true) Images images,
        @JsonProperty(value = "bootstrap", required = true) Bootstrap bootstrap) {

    public ApplianceConfig {
        required("log-level", logLevel);
        required("state-dir", stateDir);
        required("machines", machines);
        required("dhcp", dhcp);
        required("tftp", tftp);
        required("http", http);
        required("api", api);
        required("agents", agents);
        required("boot", boot);
        required("images", images);
        required("bootstrap", bootstrap);
        logLevel = logLevel.toLowerCase(Locale.ROOT);
        if (!logLevel.equals("info") && !logLevel.equals("debug")) {
            throw new ConfigException("log-level", "must be info or debug, not '" + logLevel + "'");
        }
    }

    /**
     * The keys a running appliance applies again on reload (SIGHUP), everything under them
     * included; a change to any other key waits for a restart.
     */
    public static final List<String> RELOADABLE =
            List.of("machines.known", "dhcp.local-boot-only", "boot.agent", "boot.profiles", "boot.templates");

    /** Whether a dotted key ({@code boot.agent.args}) is one of {@link #RELOADABLE} or under one. */
    public static boolean reloadable(String key) {
        return RELOADABLE.stream().anyMatch(r -> key.equals(r) || key.startsWith(r + "."));
    }

    /** This config with {@code file}'s values of the {@link #RELOADABLE} keys: what a reload runs with. */
    public ApplianceConfig withReloadable(ApplianceConfig file) {
        Machines m = machines;
        Dhcp d = dhcp;
        Boot b = boot;
        return new ApplianceConfig(logLevel, serverAddress, stateDir,
                new Machines(m.knownOnly(), file.machines().known(), m.bootTokenMinutes(), m.maxUnregistered(),
                        m.unregisteredExpireMinutes()),
                new Dhcp(d.enabled(), d.interfaceName(), d.port(), d.pxePort(), d.mode(), file.dhcp().localBootOnly(),
                        d.bootFiles(), d.ipxeScriptUrl()),
                tftp, http, api, agents,
                new Boot(b.baseUrl(), b.attempts(), file.boot().agent(), file.boot().profiles(), b.localBoot(),
                        file.boot().templates(), b.evidence()),
                images, bootstrap);
    }

    /** What boot URLs may hold: the appliance's address and HTTP port, as machines reach them. */
    public static final Set<String> BOOT_URL_PLACEHOLDERS = Set.of("server", "http-port");

    public record Machines(
            @JsonProperty(value = "known-only", required = true) boolean knownOnly,
            @JsonProperty(value = "known", required = true) List<String> known,
            @JsonProperty(value = "boot-token-minutes", required = true) int bootTokenMinutes,
            @JsonProperty(value = "max-unregistered", required = true) int maxUnregistered,
            @JsonProperty(value = "unregistered-expire-minutes", required = true) int unregisteredExpireMinutes) {

        public Machines {
            requireRange("max-unregistered", maxUnregistered, 0, 10_000_000);
            requireRange("unregistered-expire-minutes", unregisteredExpireMinutes, 1, 52_560_000);
            required("known", known);
            known = List.copyOf(known);
            macs("known", known);
            if (bootTokenMinutes < 1) {
                throw new ConfigException("boot-token-minutes", "must be at least 1, not " + bootTokenMinutes);
            }
        }

        public Set<MacAddress> knownMacs() {
            return macs("known", known);
        }
    }

    public record Http(
            @JsonProperty(value = "enabled", required = true) boolean enabled,
            @JsonProperty(value = "port", required = true) int port,
            @JsonProperty(value = "assets", required = true) String assets,
            @JsonProperty(value = "mounts", required = true) Map<String, String> mounts) {

        public Http {
            requireRange("port", port, 0, 65535); // 0: any free port (tests); the bound one is advertised
            required("assets", assets);
            required("mounts", mounts);
            mounts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(mounts));
            for (Map.Entry<String, String> mount : mounts.entrySet()) {
                String prefix = mount.getKey();
                if (!prefix.matches("/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*/")) {
                    throw new ConfigException("mounts." + prefix, "a prefix looks like /name/, not '" + prefix + "'");
                }
                if (prefix.equals("/assets/") || prefix.equals("/ipxe/") || prefix.equals("/boot/")) {
                    throw new ConfigException("mounts." + prefix, prefix + " is the appliance's own");
                }
                if (mount.getValue() == null || mount.getValue().isBlank()) {
                    throw new ConfigException("mounts." + prefix, "must name a directory");
                }
            }
        }
    }

    /**
     * The image service: the catalog's config-defined (read-only) images, the cache of upstream
     * images and the signed deploy URLs. {@code cache-dir} null: {@code state-dir/images}.
     */
    public record Images(
            @JsonProperty("cache-dir") String cacheDir,
            @JsonProperty(value = "cache-max-bytes", required = true) long cacheMaxBytes,
            @JsonProperty(value = "signed-url-max-lifetime-seconds", required = true) int signedUrlMaxLifetimeSeconds,
            @JsonProperty(value = "fetch-eagerly", required = true) boolean fetchEagerly,
            @JsonProperty(value = "fetch-connect-timeout-seconds", required = true) int fetchConnectTimeoutSeconds,
            @JsonProperty(value = "catalog", required = true) List<ImageEntry> catalog) {

        public Images {
            if (cacheDir != null && cacheDir.isBlank()) {
                throw new ConfigException("cache-dir", "must name a directory (null: state-dir/images)");
            }
            if (cacheMaxBytes < 1024 * 1024) {
                throw new ConfigException("cache-max-bytes", "must be at least 1048576, not " + cacheMaxBytes);
            }
            requireRange("signed-url-max-lifetime-seconds", signedUrlMaxLifetimeSeconds, 60, 31_536_000);
            requireRange("fetch-connect-timeout-seconds", fetchConnectTimeoutSeconds, 1, 600);
            required("catalog", catalog);
            catalog = List.copyOf(catalog);
            Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < catalog.size(); i++) {
                if (!names.add(catalog.get(i).name())) {
                    throw new ConfigException("catalog[" + i + "].name", "image '" + catalog.get(i).name()
                            + "' is defined twice");
                }
            }
        }
    }

    /** Where bootstrap data comes from (metalboot-defaults.yaml documents each key), and the report timeout. */
    public record Bootstrap(
            @JsonProperty("kubeconfig") String kubeconfig,
            @JsonProperty(value = "metal3", required = true) Metal3 metal3,
            @JsonProperty(value = "machines", required = true) List<BootstrapMachine> machines,
            @JsonProperty("directory") String directory,
            @JsonProperty(value = "config-drive", required = true) String configDrive,
            @JsonProperty(value = "report-timeout-minutes", required = true) int reportTimeoutMinutes) {

        public Bootstrap {
            required("metal3", metal3);
            required("machines", machines);
            machines = List.copyOf(machines);
            requireRange("report-timeout-minutes", reportTimeoutMinutes, 1, 10_080);
            if (!"config-2".equals(configDrive) && !"cidata".equals(configDrive)) {
                throw new ConfigException("config-drive", "must be config-2 or cidata, not '" + configDrive + "'");
            }
            if (kubeconfig == null && (metal3.enabled() || !machines.isEmpty())) {
                throw new ConfigException(metal3.enabled() ? "metal3.enabled" : "machines",
                        "needs the management cluster: set kubeconfig");
            }
            if (directory != null && !directory.startsWith("/")) {
                throw new ConfigException("directory", "must be an absolute path, not '" + directory + "'");
            }
        }
    }

    public record Metal3(
            @JsonProperty(value = "enabled", required = true) boolean enabled,
            @JsonProperty("namespace") String namespace,
            @JsonProperty(value = "sync-seconds", required = true) int syncSeconds) {

        public Metal3 {
            requireRange("sync-seconds", syncSeconds, 1, 3600);
        }
    }

    /** A machine, by exactly one of mac, uuid and serial, → its Cluster API Machine. */
    public record BootstrapMachine(
            @JsonProperty("mac") String mac,
            @JsonProperty("uuid") String uuid,
            @JsonProperty("serial") String serial,
            @JsonProperty(value = "namespace", required = true) String namespace,
            @JsonProperty(value = "machine", required = true) String machine) {

        public BootstrapMachine {
            int given = (mac == null ? 0 : 1) + (uuid == null ? 0 : 1) + (serial == null ? 0 : 1);
            if (given != 1) {
                throw new ConfigException("mac", "name the machine by exactly one of mac, uuid and serial");
            }
            if (mac != null) {
                try {
                    mac = io.metalboot.machine.MacAddress.parse(mac).toString();
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("mac", e.getMessage());
                }
            }
            if (uuid != null) {
                try {
                    uuid = java.util.UUID.fromString(uuid).toString();
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("uuid", "'" + uuid + "' is no UUID");
                }
            }
            required("namespace", namespace);
            required("machine", machine);
        }
    }

    /** One config-defined image: {@code url} (http or https) or {@code path}, format, checksum, trust. */
    public record ImageEntry(
            @JsonProperty(value = "name", required = true) String name,
            @JsonProperty("url") String url,
            @JsonProperty("path") String path,
            @JsonProperty("format") String format,
            @JsonProperty("checksum") String checksum,
            @JsonProperty("ca-bundle") String caBundle,
            @JsonProperty("insecure") Boolean insecure,
            @JsonProperty("allow-md5") Boolean allowMd5) {

        public ImageEntry {
            image(name, url, path, format, checksum, caBundle, insecure, allowMd5);
        }

        /** The catalog entry (read-only: the config's). */
        public io.metalboot.images.catalog.CatalogImage image() {
            return image(name, url, path, format, checksum, caBundle, insecure, allowMd5);
        }

        private static io.metalboot.images.catalog.CatalogImage image(String name, String url, String path,
                String format, String checksum, String caBundle, Boolean insecure, Boolean allowMd5) {
            try {
                return new io.metalboot.images.catalog.ImageSpec(name, url, path, format, checksum, caBundle, insecure,
                        allowMd5).toImage(name, io.metalboot.images.catalog.CatalogImage.DefinedBy.CONFIG);
            } catch (io.metalboot.images.catalog.CatalogException e) {
                // The API's field names, as the config spells them.
                String key = switch (e.field()) {
                    case "caBundle" -> "ca-bundle";
                    case "allowMd5" -> "allow-md5";
                    default -> e.field();
                };
                throw new ConfigException(key, e.detail().replace("allowMd5", "allow-md5").replace("caBundle", "ca-bundle"));
            }
        }
    }

    /** How the appliance keeps company with the agents that run on booted machines. */
    public record Agents(
            @JsonProperty(value = "heartbeat-seconds", required = true) int heartbeatSeconds,
            @JsonProperty(value = "lost-after-seconds", required = true) int lostAfterSeconds,
            @JsonProperty(value = "power-off-after-inspection", required = true) boolean powerOffAfterInspection) {

        public Agents {
            requireRange("heartbeat-seconds", heartbeatSeconds, 1, 3600);
            requireRange("lost-after-seconds", lostAfterSeconds, 2, 86_400);
            if (lostAfterSeconds <= heartbeatSeconds) {
                throw new ConfigException("lost-after-seconds", "must be more than heartbeat-seconds ("
                        + heartbeatSeconds + "), not " + lostAfterSeconds);
            }
        }
    }

    /** The operator API's own listener: never the provisioning network's unless an operator says so. */
    public record Api(
            @JsonProperty(value = "enabled", required = true) boolean enabled,
            @JsonProperty(value = "listen", required = true) String listen) {

        public Api {
            required("listen", listen);
            int colon = listen.lastIndexOf(':');
            if (colon <= 0) {
                throw new ConfigException("listen", "must be ADDRESS:PORT, not '" + listen + "'");
            }
            try {
                requireRange("listen", Integer.parseInt(listen.substring(colon + 1)), 0, 65535);
            } catch (NumberFormatException e) {
                throw new ConfigException("listen", "the port of '" + listen + "' is not a number");
            }
            if (!Character.isDigit(listen.charAt(0))) {
                throw new ConfigException("listen", "the address must be an IPv4 address, not '" + listen + "'");
            }
        }

        public String address() {
            return listen.substring(0, listen.lastIndexOf(':'));
        }

        public int port() {
            return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
        }
    }

    public record Boot(
            @JsonProperty(value = "base-url", required = true) String baseUrl,
            @JsonProperty(value = "attempts", required = true) int attempts,
            @JsonProperty(value = "agent", required = true) Agent agent,
            @JsonProperty(value = "profiles", required = true) List<Profile> profiles,
            @JsonProperty(value = "local-boot", required = true) LocalBoot localBoot,
            @JsonProperty("templates") String templates,
            @JsonProperty(value = "evidence", required = true) Evidence evidence) {

        public Boot {
            required("base-url", baseUrl);
            required("evidence", evidence);
            required("agent", agent);
            required("profiles", profiles);
            required("local-boot", localBoot);
            profiles = List.copyOf(profiles);
            template("base-url", baseUrl, BOOT_URL_PLACEHOLDERS);
            if (attempts < 1 || attempts > 100) {
                throw new ConfigException("attempts", "must be 1..100, not " + attempts);
            }
        }
    }

    /**
     * What a script request must show before it gets a boot token: by default {@code require};
     * from the first of {@code networks} that holds the request's source address, that network's.
     */
    public record Evidence(
            @JsonProperty(value = "pxe-window-seconds", required = true) int pxeWindowSeconds,
            @JsonProperty(value = "require", required = true) List<String> require,
            @JsonProperty(value = "networks", required = true) List<EvidenceNetwork> networks) {

        public Evidence {
            requireRange("pxe-window-seconds", pxeWindowSeconds, 1, 86_400);
            required("require", require);
            required("networks", networks);
            require = List.copyOf(require);
            evidenceKinds("require", require);
            networks = List.copyOf(networks);
        }

        public Set<EvidenceKind> requireKinds() {
            return evidenceKinds("require", require);
        }
    }

    /** Script requests from {@code cidr} must show {@code require} ([]: trusted outright). */
    public record EvidenceNetwork(
            @JsonProperty(value = "cidr", required = true) String cidr,
            @JsonProperty(value = "require", required = true) List<String> require) {

        public EvidenceNetwork {
            required("cidr", cidr);
            required("require", require);
            require = List.copyOf(require);
            try {
                Ipv4Cidr.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("cidr", e.getMessage());
            }
            evidenceKinds("require", require);
        }

        public NetworkRule rule() {
            return new NetworkRule(Ipv4Cidr.parse(cidr), evidenceKinds("require", require));
        }
    }

    /** The agent ramdisk every machine gets unless a profile says otherwise. */
    public record Agent(
            @JsonProperty(value = "kernel", required = true) String kernel,
            @JsonProperty(value = "initrd", required = true) String initrd,
            @JsonProperty(value = "args", required = true) String args) {

        public Agent {
            required("kernel", kernel);
            required("initrd", initrd);
            template("kernel", kernel, BOOT_URL_PLACEHOLDERS);
            template("initrd", initrd, BOOT_URL_PLACEHOLDERS);
            args = args == null ? "" : args;
        }
    }

    /** Machines picked by a selector boot another agent build or with other arguments. */
    public record Profile(
            @JsonProperty(value = "name", required = true) String name,
            @JsonProperty("mac") String mac,
            @JsonProperty("uuid") String uuid,
            @JsonProperty("serial") String serial,
            @JsonProperty("labels") Map<String, String> labels,
            @JsonProperty("kernel") String kernel,
            @JsonProperty("initrd") String initrd,
            @JsonProperty("args") String args) {

        public Profile {
            required("name", name);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            if (mac != null) {
                parseMac("mac", mac);
            }
            if (uuid != null) {
                try {
                    SmbiosUuid.parse(uuid);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("uuid", e.getMessage());
                }
            }
            for (Map.Entry<String, String> label : labels.entrySet()) {
                try {
                    LabelSyntax.requireKey(label.getKey());
                    LabelSyntax.requireValue(label.getValue() == null ? "" : label.getValue());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("labels." + label.getKey(), e.getMessage());
                }
            }
            if (kernel != null) {
                template("kernel", kernel, BOOT_URL_PLACEHOLDERS);
            }
            if (initrd != null) {
                template("initrd", initrd, BOOT_URL_PLACEHOLDERS);
            }
        }
    }

    public record LocalBoot(
            @JsonProperty(value = "efi", required = true) String efi,
            @JsonProperty(value = "pcbios", required = true) String pcbios) {

        public LocalBoot {
            required("efi", efi);
            required("pcbios", pcbios);
        }
    }

    public record Dhcp(
            @JsonProperty(value = "enabled", required = true) boolean enabled,
            @JsonProperty("interface") String interfaceName,
            @JsonProperty(value = "port", required = true) int port,
            @JsonProperty(value = "pxe-port", required = true) int pxePort,
            @JsonProperty(value = "mode", required = true) String mode,
            @JsonProperty(value = "local-boot-only", required = true) List<String> localBootOnly,
            @JsonProperty(value = "boot-files", required = true) BootFiles bootFiles,
            @JsonProperty("ipxe-script-url") String ipxeScriptUrl) {

        public Dhcp {
            required("mode", mode);
            required("local-boot-only", localBootOnly);
            required("boot-files", bootFiles);
            requirePort("port", port);
            requirePort("pxe-port", pxePort);
            mode = mode.toLowerCase(Locale.ROOT);
            if (!mode.equals("offer") && !mode.equals("menu")) {
                throw new ConfigException("mode", "must be offer or menu, not '" + mode + "'");
            }
            localBootOnly = List.copyOf(localBootOnly);
            macs("local-boot-only", localBootOnly);
            if (ipxeScriptUrl != null) {
                if (ipxeScriptUrl.isBlank()) {
                    throw new ConfigException("ipxe-script-url", "must not be empty (null: derived from boot.base-url)");
                }
                template("ipxe-script-url", ipxeScriptUrl, ProxyDhcpSettings.PLACEHOLDERS);
            }
        }

        public Set<MacAddress> localBootOnlyMacs() {
            return macs("local-boot-only", localBootOnly);
        }
    }

    public record Tftp(
            @JsonProperty(value = "enabled", required = true) boolean enabled,
            @JsonProperty("interface") String interfaceName,
            @JsonProperty(value = "port", required = true) int port,
            @JsonProperty(value = "root", required = true) String root,
            @JsonProperty(value = "aliases", required = true) Map<String, String> aliases,
            @JsonProperty(value = "max-block-size", required = true) int maxBlockSize,
            @JsonProperty(value = "max-window-size", required = true) int maxWindowSize,
            @JsonProperty(value = "retransmit-timeout-ms", required = true) int retransmitTimeoutMs,
            @JsonProperty(value = "retries", required = true) int retries,
            @JsonProperty(value = "max-transfers", required = true) int maxTransfers,
            @JsonProperty(value = "cached-files", required = true) int cachedFiles) {

        public Tftp {
            required("root", root);
            required("aliases", aliases);
            requirePort("port", port);
            if (root.isBlank()) {
                throw new ConfigException("root", "must name a directory");
            }
            for (Map.Entry<String, String> alias : aliases.entrySet()) {
                if (alias.getKey().isEmpty() || alias.getValue() == null || alias.getValue().isBlank()) {
                    throw new ConfigException("aliases", "'" + alias.getKey() + "' must map a name to a file in the root");
                }
            }
            aliases = Map.copyOf(aliases);
            // RFC 2348's range; the interface MTU may lower it further per transfer.
            requireRange("max-block-size", maxBlockSize, 8, 65464);
            requireRange("max-window-size", maxWindowSize, 1, 65535);
            requireRange("retransmit-timeout-ms", retransmitTimeoutMs, 10, 255_000);
            requireRange("retries", retries, 0, 100);
            requireRange("max-transfers", maxTransfers, 1, 100_000);
            requireRange("cached-files", cachedFiles, 0, 100_000);
        }
    }

    public record BootFiles(
            @JsonProperty("bios") String bios,
            @JsonProperty("uefi-x64") String uefiX64,
            @JsonProperty("uefi-ia32") String uefiIa32,
            @JsonProperty("uefi-arm64") String uefiArm64,
            @JsonProperty("http-x64") String httpX64,
            @JsonProperty("http-arm64") String httpArm64) {

        public BootFiles {
            Map<String, String> files = new java.util.LinkedHashMap<>();
            files.put("bios", bios);
            files.put("uefi-x64", uefiX64);
            files.put("uefi-ia32", uefiIa32);
            files.put("uefi-arm64", uefiArm64);
            files.put("http-x64", httpX64);
            files.put("http-arm64", httpArm64);
            files.forEach((key, file) -> {
                if (file != null) {
                    template(key, file, ProxyDhcpSettings.PLACEHOLDERS);
                }
            });
        }
    }

    private static Set<MacAddress> macs(String key, List<String> values) {
        Set<MacAddress> macs = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            macs.add(parseMac(key + "[" + i + "]", values.get(i)));
        }
        return Set.copyOf(macs);
    }

    private static Set<EvidenceKind> evidenceKinds(String key, List<String> names) {
        Set<EvidenceKind> kinds = java.util.EnumSet.noneOf(EvidenceKind.class);
        for (int i = 0; i < names.size(); i++) {
            try {
                kinds.add(EvidenceKind.ofWireName(names.get(i)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key + "[" + i + "]", e.getMessage());
            }
        }
        return kinds;
    }

    private static MacAddress parseMac(String key, String value) {
        try {
            return MacAddress.parse(String.valueOf(value));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }

    private static void template(String key, String value, Set<String> placeholders) {
        try {
            UrlTemplate.parse(value, placeholders);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }

    private static void required(String key, Object value) {
        if (value == null) {
            throw new ConfigException(key, "must be set (null is not allowed here)");
        }
    }

    private static void requireRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(key, "must be " + min + ".." + max + ", not " + value);
        }
    }

    private static void requirePort(String key, int port) {
        if (port < 1 || port > 65535) {
            throw new ConfigException(key, "must be a port number 1..65535, not " + port);
        }
    }
}
