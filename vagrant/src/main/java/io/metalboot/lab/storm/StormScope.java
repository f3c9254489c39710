package io.metalboot.lab.storm;

/** How much of a boot each machine of a storm plays. */
public enum StormScope {
    /** Every step, DHCP to the agent initrd: a storm against the appliance. */
    FULL("full"),
    /** DHCP and TFTP only: what a ProxyDHCP with a TFTP server (the dnsmasq peer) serves. */
    DHCP_TFTP("dhcp-tftp");

    private final String wireName;

    StormScope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static StormScope parse(String text) {
        for (StormScope scope : values()) {
            if (scope.wireName.equals(text)) {
                return scope;
            }
        }
        throw new IllegalArgumentException("scope must be full or dhcp-tftp, not '" + text + "'");
    }
}
