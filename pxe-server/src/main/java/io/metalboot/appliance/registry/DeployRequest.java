package io.metalboot.appliance.registry;

import java.util.Map;
import java.util.Objects;

/**
 * A deploy as the operator asked for it, stored with the machine's move to {@code provisioning}:
 * a catalog image by name (its signed URL is minted when the agent is told, never stored), or an
 * image on any HTTP server with its checksum and format (as Metal³'s {@code spec.image}).
 *
 * @param id              the deploy's id: the agent's action id and the signed URL's {@code deploy}
 * @param image           the catalog image's name; null with {@code url}
 * @param url             an external image's URL (its query may be a credential: never logged or shown);
 *                        null with {@code image}
 * @param checksum        the external image's checksum ("sha256:…"); null for a catalog image (the catalog's)
 * @param format          the external image's format ("raw", "qcow2", …, "detect"); null for a catalog image
 * @param rootDeviceHints Ironic's root-device hints; empty: the agent's default disk
 * @param readBack        the agent reads the written bytes back and compares them
 */
public record DeployRequest(String id, String image, String url, String checksum, String format,
        Map<String, Object> rootDeviceHints, boolean readBack) {
    public DeployRequest {
        Objects.requireNonNull(id, "id");
        if ((image == null) == (url == null)) {
            throw new IllegalArgumentException("a deploy names exactly one of a catalog image and a URL");
        }
        rootDeviceHints = rootDeviceHints == null ? Map.of() : Map.copyOf(rootDeviceHints);
    }

    /** What the image is, fit for a log line or the API: the catalog name, or the URL without its query. */
    public String imageForDisplay() {
        if (image != null) {
            return image;
        }
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?…";
    }

    @Override
    public String toString() {
        return "DeployRequest[" + id + ", " + imageForDisplay() + ", " + rootDeviceHints + ", readBack=" + readBack
                + "]";
    }
}
