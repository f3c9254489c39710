package io.metalboot.bootstrap;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One machine's bootstrap data as its source holds it now. The value carries credentials (a
 * kubeadm join token, certificates): {@link #toString} names the format, the size and the origin,
 * never the bytes, the meta-data's values or the network data.
 *
 * @param format          cloud-config or Ignition
 * @param value           the bytes exactly as the source holds them (copied in and out)
 * @param metaData        the cloud-init meta-data ({@code ds.meta_data}: {@code uuid}, {@code name},
 *                        {@code local-hostname}, …); an unmodifiable copy
 * @param networkDataJson the cloud-init network data (OpenStack network_data.json), if any
 * @param origin          which object it was read from, for the audit line: "Secret metal3/worker-0-user-data",
 *                        "file /etc/metalboot/bootstrap/by-mac/52-54-00-12-34-56"
 */
public record BootstrapData(BootstrapFormat format, byte[] value, Map<String, Object> metaData,
        Optional<String> networkDataJson, String origin) {
    public BootstrapData {
        Objects.requireNonNull(format, "bootstrap data has a format");
        value = Objects.requireNonNull(value, "bootstrap data has a value").clone();
        metaData = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(metaData, Map.of())));
        networkDataJson = Objects.requireNonNullElse(networkDataJson, Optional.empty());
        Objects.requireNonNull(origin, "bootstrap data names where it came from");
    }

    /** A copy of the bytes. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BootstrapData that && format == that.format && Arrays.equals(value, that.value)
                && metaData.equals(that.metaData) && networkDataJson.equals(that.networkDataJson)
                && origin.equals(that.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, Arrays.hashCode(value), metaData, networkDataJson, origin);
    }

    @Override
    public String toString() {
        return "BootstrapData[" + format.wireName() + ", " + value.length + " bytes, meta-data keys "
                + metaData.keySet() + (networkDataJson.isPresent() ? ", network data" : "") + ", from " + origin + "]";
    }
}
