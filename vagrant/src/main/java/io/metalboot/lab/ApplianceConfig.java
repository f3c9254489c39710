package io.metalboot.lab;

import java.nio.file.Path;
import java.util.List;

/**
 * The few keys of the appliance's YAML config a scenario sets; everything else keeps the
 * appliance's defaults (it advertises the IPv4 of {@code dhcp.interface}).
 *
 * @param stateDir       {@code state-dir}: the machine registry's journal; always inside the
 *                       scenario's work directory, never the host's {@code /var/lib/metalboot}
 * @param assets         {@code http.assets}: served at {@code /assets/} (the test kernel as the agent)
 * @param ipxeScriptUrl  {@code dhcp.ipxe-script-url}, or null for the appliance's default
 * @param baseUrl        {@code boot.base-url}: the appliance as machines reach it over HTTP, or
 *                       null for the default (a relay in front of it sets its own)
 * @param agentArgs      {@code boot.agent.args}, or null for the default
 * @param evidenceNetworks {@code boot.evidence.networks}: flow-style entries such as
 *                       {@code {cidr: 10.203.9.0/24, require: [pxe-dhcp]}}
 * @param catalog        {@code images.catalog}: the images a deploy may name ({@link DeployImage})
 * @param bootstrap      {@code bootstrap:} as YAML flow text; null: the defaults (no source)
 * @param maxUnregistered {@code machines.max-unregistered}, or 0 for the default (1,000)
 */
record ApplianceConfig(String logLevel, String dhcpInterface, DhcpMode mode, Path stateDir, Path assets,
                       String ipxeScriptUrl, String baseUrl, String agentArgs, List<String> evidenceNetworks,
                       List<DeployImage> catalog, String bootstrap, int maxUnregistered) {

    ApplianceConfig {
        evidenceNetworks = List.copyOf(evidenceNetworks);
        catalog = List.copyOf(catalog);
    }

    /** {@code http.port}'s default: the scripts and assets, open to the provisioning network. */
    static final int HTTP_PORT = 8080;

    /** The port of {@code api.listen}'s default, 127.0.0.1:8081: the operator API, on the appliance's host only. */
    static final int OPERATOR_PORT = 8081;

    /**
     * Kernel arguments of the lab's agent boots: the serial console only (the appliance's agent
     * script adds {@code quiet}, which keeps the kernel from printing its command line, boot token
     * included, on the console whose log the lab keeps).
     */
    static final String LAB_AGENT_ARGS = "console=ttyS0";

    /** Debug logging; state and assets in {@code workDir}. */
    static ApplianceConfig debug(String dhcpInterface, DhcpMode mode, Path workDir) {
        return new ApplianceConfig("debug", dhcpInterface, mode, workDir.resolve("state"), workDir.resolve("assets"),
                null, null, LAB_AGENT_ARGS, List.of(), List.of(), null, 0);
    }

    ApplianceConfig withLogLevel(String level) {
        return new ApplianceConfig(level, dhcpInterface, mode, stateDir, assets, ipxeScriptUrl, baseUrl, agentArgs,
                evidenceNetworks, catalog, bootstrap, maxUnregistered);
    }

    /**
     * Machines are sent to {@code baseUrl} (e.g. a relay) for every script, instead of the appliance
     * itself: {@code boot.base-url} alone, from which the appliance derives the script URL it gives
     * iPXE through the ProxyDHCP. Their script requests then come from the relay's address
     * ({@code relayAddress}), which the neighbour table cannot tie to them: like a relayed network,
     * it must show PXE DHCP evidence only.
     */
    ApplianceConfig reachedThrough(String baseUrl, String relayAddress) {
        return new ApplianceConfig(logLevel, dhcpInterface, mode, stateDir, assets, null, baseUrl, agentArgs,
                List.of("{cidr: " + relayAddress + "/32, require: [pxe-dhcp]}"), catalog, bootstrap, maxUnregistered)
                .withEvidenceNetworks(evidenceNetworks);
    }

    /** Adds {@code boot.evidence.networks} entries (after those already set: the first match wins). */
    ApplianceConfig withEvidenceNetworks(List<String> entries) {
        var all = new java.util.ArrayList<>(evidenceNetworks);
        all.addAll(entries);
        return new ApplianceConfig(logLevel, dhcpInterface, mode, stateDir, assets, ipxeScriptUrl, baseUrl, agentArgs, all, catalog, bootstrap, maxUnregistered);
    }

    /** {@code images.catalog}: these images (replacing any set before). */
    ApplianceConfig withCatalog(List<DeployImage> images) {
        return new ApplianceConfig(logLevel, dhcpInterface, mode, stateDir, assets, ipxeScriptUrl, baseUrl, agentArgs,
                evidenceNetworks, images, bootstrap, maxUnregistered);
    }

    /** {@code boot.agent.args}: the agent ramdisk's kernel arguments (the appliance adds its own after them). */
    ApplianceConfig withAgentArgs(String args) {
        return new ApplianceConfig(logLevel, dhcpInterface, mode, stateDir, assets, ipxeScriptUrl, baseUrl, args,
                evidenceNetworks, catalog, bootstrap, maxUnregistered);
    }

    /** {@code bootstrap:}, as YAML flow text (e.g. {@code {kubeconfig: /x, metal3: {enabled: true}}}); null: the defaults. */
    ApplianceConfig withBootstrap(String flow) {
        return new ApplianceConfig(logLevel, dhcpInterface, mode, stateDir, assets, ipxeScriptUrl, baseUrl, agentArgs,
                evidenceNetworks, catalog, flow, maxUnregistered);
    }

    /** {@code machines.max-unregistered}: how many discovered, never-registered machines the registry takes. */
    ApplianceConfig withMaxUnregistered(int cap) {
        return new ApplianceConfig(logLevel, dhcpInterface, mode, stateDir, assets, ipxeScriptUrl, baseUrl, agentArgs,
                evidenceNetworks, catalog, bootstrap, cap);
    }

    /** {@code state-dir} and {@code http.assets} elsewhere (one appliance run of several in a work directory). */
    ApplianceConfig withDirectories(Path state, Path assetsDir) {
        return new ApplianceConfig(logLevel, dhcpInterface, mode, state, assetsDir, ipxeScriptUrl, baseUrl, agentArgs,
                evidenceNetworks, catalog, bootstrap, maxUnregistered);
    }

    String yaml() {
        var yaml = new StringBuilder("""
                log-level: %s
                state-dir: "%s"
                dhcp:
                  interface: %s
                  mode: %s
                """.formatted(logLevel, stateDir.toAbsolutePath(), dhcpInterface, mode.configValue()));
        if (ipxeScriptUrl != null) {
            yaml.append("  ipxe-script-url: \"").append(ipxeScriptUrl).append("\"\n");
        }
        yaml.append("http:\n  assets: \"").append(assets.toAbsolutePath()).append("\"\n");
        // The agent asks for its next action this often: the lab's power-off reaches it in seconds.
        yaml.append("agents:\n  heartbeat-seconds: 2\n");
        if (!catalog.isEmpty()) {
            yaml.append("images:\n  catalog:\n");
            catalog.forEach(image -> yaml.append("    - ").append(image.catalogEntry()).append('\n'));
        }
        if (maxUnregistered > 0) {
            yaml.append("machines:\n  max-unregistered: ").append(maxUnregistered).append('\n');
        }
        if (bootstrap != null) {
            yaml.append("bootstrap: ").append(bootstrap).append('\n');
        }
        if (baseUrl != null || agentArgs != null || !evidenceNetworks.isEmpty()) {
            yaml.append("boot:\n");
            if (!evidenceNetworks.isEmpty()) {
                yaml.append("  evidence:\n    networks:\n");
                evidenceNetworks.forEach(entry -> yaml.append("      - ").append(entry).append('\n'));
            }
            if (baseUrl != null) {
                yaml.append("  base-url: \"").append(baseUrl).append("\"\n");
            }
            if (agentArgs != null) {
                yaml.append("  agent:\n    args: \"").append(agentArgs).append("\"\n");
            }
        }
        return yaml.toString();
    }
}
