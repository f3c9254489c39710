package io.metalboot.dhcp.model;

import java.net.Inet4Address;
import java.util.List;

/** One PXE sub-option carried inside option 43 (PXE specification 2.1, table 2-1). */
public sealed interface PxeVendorOption {
    int DISCOVERY_CONTROL = 6;
    int BOOT_SERVERS = 8;
    int BOOT_MENU = 9;
    int MENU_PROMPT = 10;
    int BOOT_ITEM = 71;

    /** Bit 3 of discovery control: a boot file named in this offer is to be downloaded at once. */
    int DOWNLOAD_BOOT_FILE = 0x08;
    /** Bits 0-2: no broadcast or multicast discovery, only the servers listed in sub-option 8. */
    int ONLY_LISTED_SERVERS = 0x07;

    int code();

    /** Sub-option 6. */
    record DiscoveryControl(int bits) implements PxeVendorOption {
        public int code() {
            return DISCOVERY_CONTROL;
        }
    }

    /** A boot server type and the addresses that serve it. */
    record BootServer(int type, List<Inet4Address> addresses) {
        public BootServer {
            addresses = List.copyOf(addresses);
        }
    }

    /** Sub-option 8. */
    record BootServers(List<BootServer> servers) implements PxeVendorOption {
        public BootServers {
            servers = List.copyOf(servers);
        }

        public int code() {
            return BOOT_SERVERS;
        }
    }

    /** A menu line: the boot server type it selects and the text shown. */
    record MenuEntry(int type, String description) {
    }

    /** Sub-option 9. */
    record BootMenu(List<MenuEntry> entries) implements PxeVendorOption {
        public BootMenu {
            entries = List.copyOf(entries);
        }

        public int code() {
            return BOOT_MENU;
        }
    }

    /** Sub-option 10: seconds to wait (0 = take the first entry at once) and the prompt text. */
    record MenuPrompt(int timeoutSeconds, String prompt) implements PxeVendorOption {
        public int code() {
            return MENU_PROMPT;
        }
    }

    /** Sub-option 71: the boot server type and layer a client asks for, echoed in the ACK. */
    record BootItem(int type, int layer) implements PxeVendorOption {
        public int code() {
            return BOOT_ITEM;
        }
    }

    /** Any other sub-option, kept byte for byte. */
    record Unknown(int code, Octets value) implements PxeVendorOption {
    }
}
