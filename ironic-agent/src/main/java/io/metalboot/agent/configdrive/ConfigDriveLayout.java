package io.metalboot.agent.configdrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which files go where, for the two datasources cloud-init finds on a disk by label.
 *
 * <p><b>OpenStack config drive</b> (label {@code config-2}): as Ironic builds it from a node's
 * {@code configdrive} dict (openstacksdk's {@code baremetal.configdrive.populate_directory}, which
 * the conductor calls): for each of the versions {@code 2012-08-10} and {@code latest}, the
 * directory {@code openstack/VERSION/} with {@code meta_data.json}, {@code network_data.json} when
 * there is network data and {@code user_data} when there is user data — "when there is" as Python
 * tests it: an empty one is left out.
 *
 * <p><b>NoCloud</b> (label {@code cidata}): {@code meta-data}, {@code user-data} and, when given,
 * {@code network-config} at the root. cloud-init needs both of the first two (an empty
 * {@code user-data} is written); meta-data is YAML (JSON is YAML), network-config is network
 * config version 1 or 2. OpenStack's {@code network_data.json} (Metal³'s {@code networkData}) is
 * none of these, and NoCloud has no converter for it (only the ConfigDrive and OpenStack
 * datasources do): given as network-config it is refused here rather than ignored by cloud-init.
 */
public final class ConfigDriveLayout {
    public static final String CONFIG_2 = "config-2";
    public static final String CIDATA = "cidata";
    private static final String[] OPENSTACK_VERSIONS = {"2012-08-10", "latest"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigDriveLayout() {
    }

    /** The OpenStack layout: both version directories, each with the same files. */
    public static ConfigDrive openstack(byte[] metaDataJson, Optional<byte[]> networkDataJson, Optional<byte[]> userData) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String version : OPENSTACK_VERSIONS) {
            String dir = "openstack/" + version + "/";
            files.put(dir + "meta_data.json", metaDataJson);
            networkDataJson.filter(b -> b.length > 0).ifPresent(b -> files.put(dir + "network_data.json", b));
            userData.filter(b -> b.length > 0).ifPresent(b -> files.put(dir + "user_data", b));
        }
        return new ConfigDrive(files);
    }

    /** The NoCloud layout; {@code networkConfig} must be network config v1/v2, not OpenStack's network_data.json. */
    public static ConfigDrive noCloud(byte[] metaData, byte[] userData, Optional<byte[]> networkConfig) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("meta-data", metaData);
        files.put("user-data", userData);
        networkConfig.ifPresent(b -> {
            refuseOpenStackNetworkData(b);
            files.put("network-config", b);
        });
        return new ConfigDrive(files);
    }

    /** network_data.json has "links" and "networks" and no "version"; a v1/v2 config (in JSON) has a version. */
    private static void refuseOpenStackNetworkData(byte[] networkConfig) {
        JsonNode root;
        try {
            root = JSON.readTree(networkConfig);
        } catch (IOException e) {
            return; // YAML that is not JSON: not network_data.json either
        }
        if (root != null && root.isObject() && !root.has("version") && !root.path("network").has("version")
                && (root.has("links") || root.has("networks") || root.has("services"))) {
            throw new IllegalArgumentException("NoCloud's network-config is network config v1 or v2; this is OpenStack's"
                    + " network_data.json (links/networks/services), which NoCloud does not read: use the config-2 layout");
        }
    }
}
