package io.metalboot.appliance.evidence;

/** Why a script request got no boot token; counted, and named in the operator API kebab-case. */
public enum RefusalReason {
    /** No PXE DISCOVER/REQUEST from the claimed MAC within the window. */
    NO_PXE_DHCP("no-pxe-dhcp"),
    /** The source address is not in the neighbour table (or is not IPv4). */
    NO_NEIGHBOUR_ENTRY("no-neighbour-entry"),
    /** The source address belongs to another MAC than the one claimed. */
    NEIGHBOUR_MISMATCH("neighbour-mismatch"),
    /** A new machine, but the machines discovered and never registered are at their cap. */
    UNREGISTERED_CAP("unregistered-cap");

    private final String wireName;

    RefusalReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
