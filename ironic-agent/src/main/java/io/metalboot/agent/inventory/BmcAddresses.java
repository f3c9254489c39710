package io.metalboot.agent.inventory;

import io.metalboot.machine.MacAddress;

/**
 * What the BMC's LAN channels say: IPA's {@code bmc_address}, {@code bmc_v6address} and
 * {@code bmc_mac}. Each is null when unknown: no BMC, no LAN channel, or nothing configured.
 *
 * @param address   IPv4, "192.0.2.77"
 * @param v6address IPv6 without prefix length, "2001:db8::77"
 * @param mac       "52:54:00:be:ef:01"
 */
public record BmcAddresses(String address, String v6address, String mac) {
    /** No BMC, or one that reports nothing. */
    public static final BmcAddresses NONE = new BmcAddresses(null, null, null);

    public BmcAddresses {
        if (mac != null) {
            mac = MacAddress.parse(mac).toString();
        }
    }
}
