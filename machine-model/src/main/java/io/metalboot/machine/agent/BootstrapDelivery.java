package io.metalboot.machine.agent;

import java.util.Map;

/**
 * A machine's bootstrap data, handed to its own agent during a deploy, with what the written OS
 * needs to say how its join went. Every field but {@code format} and {@code origin} is a secret or
 * holds one (join tokens): {@link #toString} shows none of them.
 *
 * @param format         "cloud-config" or "ignition"
 * @param userData       the data itself, base64 (as Cluster API's bootstrap Secret holds it, decoded once)
 * @param metaData       what the node's instance metadata says: Metal³'s {@code uuid}, {@code name},
 *                       {@code local-hostname}, {@code local_hostname}, {@code metal3-name},
 *                       {@code metal3-namespace}, …; a cloud-config's jinja template reads it
 * @param networkData    the network configuration (OpenStack network_data.json), or null
 * @param origin         where it came from, as the audit line names it (a Secret's namespace/name, a file)
 * @param nodeCredential the node's own credential for its report: valid for this machine until it reports
 * @param reportUrl      where the node reports ({@link NodeProtocol#REPORT} on the provisioning listener)
 * @param configDrive    the drive an OS with cloud-init reads: "config-2" (OpenStack's, as Ironic writes
 *                       it; the default) or "cidata" (NoCloud)
 */
public record BootstrapDelivery(String format, String userData, Map<String, Object> metaData, String networkData,
        String origin, String nodeCredential, String reportUrl, String configDrive) {
    public BootstrapDelivery {
        metaData = metaData == null ? Map.of() : Map.copyOf(metaData);
        configDrive = configDrive == null ? "config-2" : configDrive;
    }

    @Override
    public String toString() {
        return "BootstrapDelivery[" + format + " from " + origin + ", " + (userData == null ? 0 : userData.length())
                + " base64 chars, meta_data keys " + new java.util.TreeSet<>(metaData.keySet()) + "]";
    }
}
