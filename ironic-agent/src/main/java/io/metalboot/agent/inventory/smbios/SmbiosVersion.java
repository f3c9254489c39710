package io.metalboot.agent.inventory.smbios;

/** The SMBIOS version an entry point announces, "2.8", "3.3". */
public record SmbiosVersion(int major, int minor) implements Comparable<SmbiosVersion> {
    /** The version from which the first three UUID fields are stored little-endian (DSP0134 7.2.1). */
    public static final SmbiosVersion UUID_LITTLE_ENDIAN = new SmbiosVersion(2, 6);

    public SmbiosVersion {
        if (major < 0 || major > 255 || minor < 0 || minor > 255) {
            throw new IllegalArgumentException("an SMBIOS version is two bytes, not " + major + "." + minor);
        }
    }

    public boolean atLeast(SmbiosVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(SmbiosVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
