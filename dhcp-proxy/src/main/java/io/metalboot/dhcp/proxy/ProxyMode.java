package io.metalboot.dhcp.proxy;

/** How a PXE client learns its boot file. */
public enum ProxyMode {
    /** The ProxyDHCP OFFER itself carries next-server and the boot file (as smee and pixiecore do). */
    OFFER,
    /**
     * The OFFER carries a PXE boot menu (option 43) naming this server as the boot server, and the
     * file is given in the ACK to the client's port-4011 REQUEST, for firmware that insists on that
     * discovery flow.
     */
    MENU
}
