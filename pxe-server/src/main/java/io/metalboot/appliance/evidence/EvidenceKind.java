package io.metalboot.appliance.evidence;

import java.util.Arrays;
import java.util.List;

/** What a script request may have to show before it gets a boot token. */
public enum EvidenceKind {
    /** The ProxyDHCP saw a PXE DISCOVER or REQUEST from the claimed MAC shortly before. */
    PXE_DHCP("pxe-dhcp"),
    /** The request's source address is the claimed MAC's in the provisioning interface's neighbour table. */
    NEIGHBOUR("neighbour");

    private final String wireName;

    EvidenceKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Throws IllegalArgumentException naming the known kinds. */
    public static EvidenceKind ofWireName(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown evidence '" + name + "'; known: "
                        + wireNames()));
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(EvidenceKind::wireName).toList();
    }
}
