package io.metalboot.lab;

import java.util.Locale;

/** The appliance's {@code dhcp.mode}. */
enum DhcpMode {
    /** The ProxyDHCP OFFER itself carries next-server and the boot file. */
    OFFER,
    /** The OFFER carries a PXE boot menu (option 43); the file is given in a port-4011 exchange. */
    MENU;

    String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
