package io.metalboot.machine.agent;

import java.util.Map;

/**
 * What the appliance tells an agent to write: one image, from a URL that carries its own
 * credential (a signed URL of the image service, or any HTTP server's), verified by its checksum.
 *
 * @param deployId        names this deploy in the agent's reports and in the signed URL
 * @param imageUrl        where the image is; never logged whole (a signed URL's query is a credential)
 * @param checksum        of the file as served, "sha256:…" / "sha512:…" (md5 only where the catalog allowed it)
 * @param format          "raw", "qcow2", "gzip", "xz", "zstd" or "detect"
 * @param rootDeviceHints Ironic's root-device hints (key → expression); empty: the smallest disk of at least 4 GiB
 * @param readBack        read the written bytes back and compare them
 */
public record DeployInstructions(String deployId, String imageUrl, String checksum, String format,
        Map<String, Object> rootDeviceHints, boolean readBack) {
    public DeployInstructions {
        rootDeviceHints = rootDeviceHints == null ? Map.of() : Map.copyOf(rootDeviceHints);
    }

    @Override
    public String toString() {
        int query = imageUrl == null ? -1 : imageUrl.indexOf('?');
        return "DeployInstructions[" + deployId + ", " + (query < 0 ? imageUrl : imageUrl.substring(0, query) + "?…")
                + ", " + checksum + ", " + format + ", " + rootDeviceHints + ", readBack=" + readBack + "]";
    }
}
