package io.metalboot.dhcp.proxy;

/**
 * What the ProxyDHCP asks about a machine before it tells it what to boot. The appliance
 * implements it from what it knows of machines; this module never reads that store itself.
 */
@FunctionalInterface
public interface NetbootGate {
    /** Every machine boots from the network. */
    NetbootGate OPEN = client -> Decision.BOOT;

    Decision decide(PxeClient client);

    enum Decision {
        /** Tell the machine what to boot. */
        BOOT,
        /** Only known machines boot, and this one is unknown: stay silent. */
        UNKNOWN_MACHINE,
        /** The machine must boot from its own disk: stay silent so the firmware moves on. */
        LOCAL_BOOT_ONLY
    }
}
