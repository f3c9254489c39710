package io.metalboot.bootstrap;

/** The two bootstrap data formats of the Cluster API bootstrap contract (its Secret's {@code format} key). */
public enum BootstrapFormat {
    CLOUD_CONFIG("cloud-config"),
    IGNITION("ignition");

    private final String wireName;

    BootstrapFormat(String wireName) {
        this.wireName = wireName;
    }

    /** The name in a bootstrap Secret's {@code format} key: "cloud-config" or "ignition". */
    public String wireName() {
        return wireName;
    }

    /**
     * The format a {@code format} key names.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static BootstrapFormat ofWireName(String name) {
        for (BootstrapFormat format : values()) {
            if (format.wireName.equals(name)) {
                return format;
            }
        }
        throw new IllegalArgumentException("a bootstrap format is cloud-config or ignition, not '" + name + "'");
    }
}
