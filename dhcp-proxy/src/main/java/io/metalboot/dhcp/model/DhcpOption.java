package io.metalboot.dhcp.model;

import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;

/**
 * One DHCP option as a typed value. The options that PXE boot decisions rest on have a type of
 * their own; every other option is kept as {@link Unknown} bytes so that a message re-encodes
 * byte-identical. Pads between options are kept too, for the same reason.
 */
public sealed interface DhcpOption {
    int PAD = 0;
    int VENDOR_SPECIFIC = 43;
    int OPTION_OVERLOAD = 52;
    int MESSAGE_TYPE = 53;
    int SERVER_IDENTIFIER = 54;
    int PARAMETER_REQUEST_LIST = 55;
    int VENDOR_CLASS = 60;
    int CLIENT_IDENTIFIER = 61;
    int TFTP_SERVER_NAME = 66;
    int BOOT_FILE_NAME = 67;
    int USER_CLASS = 77;
    int CLIENT_ARCHITECTURE = 93;
    int CLIENT_NETWORK_INTERFACE = 94;
    int CLIENT_MACHINE_ID = 97;
    int IPXE_ENCAPSULATED = 175;
    int END = 255;

    int code();

    /** Option 0: one byte of padding. */
    record Pad() implements DhcpOption {
        public int code() {
            return PAD;
        }
    }

    /**
     * Option 52 (RFC 2132 section 9.3): the {@code file} field (1), the {@code sname} field (2)
     * or both (3) hold options too, read after the options field: file first, then sname.
     */
    record OptionOverload(int fields) implements DhcpOption {
        public static final int FILE = 1;
        public static final int SNAME = 2;
        public static final int BOTH = FILE | SNAME;

        public OptionOverload {
            if (fields < FILE || fields > BOTH) {
                throw new IllegalArgumentException("option 52 is 1 (file), 2 (sname) or 3 (both), not " + fields);
            }
        }

        public int code() {
            return OPTION_OVERLOAD;
        }

        public boolean overloadsFile() {
            return (fields & FILE) != 0;
        }

        public boolean overloadsSname() {
            return (fields & SNAME) != 0;
        }
    }

    /** Option 53. */
    record MessageTypeOption(MessageType type) implements DhcpOption {
        public int code() {
            return MESSAGE_TYPE;
        }
    }

    /** Option 54: the address of the server a message comes from or is meant for. */
    record ServerIdentifier(Inet4Address address) implements DhcpOption {
        public int code() {
            return SERVER_IDENTIFIER;
        }
    }

    /** Option 55: codes the client asks for, in its order of preference. */
    record ParameterRequestList(List<Integer> codes) implements DhcpOption {
        public ParameterRequestList {
            codes = List.copyOf(codes);
        }

        public int code() {
            return PARAMETER_REQUEST_LIST;
        }
    }

    /** Option 60, e.g. {@code PXEClient:Arch:00007:UNDI:003000}. */
    record VendorClass(String value) implements DhcpOption {
        public int code() {
            return VENDOR_CLASS;
        }
    }

    /** Option 61. */
    record ClientIdentifier(Octets value) implements DhcpOption {
        public int code() {
            return CLIENT_IDENTIFIER;
        }
    }

    /** Option 66. */
    record TftpServerName(String value) implements DhcpOption {
        public int code() {
            return TFTP_SERVER_NAME;
        }
    }

    /** Option 67. */
    record BootFileName(String value) implements DhcpOption {
        public int code() {
            return BOOT_FILE_NAME;
        }
    }

    /** Option 43: encapsulated vendor options; for PXE clients see {@code PxeVendorOptionsCodec}. */
    record VendorSpecific(Octets value) implements DhcpOption {
        public int code() {
            return VENDOR_SPECIFIC;
        }
    }

    /**
     * Option 77. RFC 3004 frames it as length-prefixed classes, but iPXE sends the bare text
     * {@code iPXE}; the value is therefore kept as sent.
     */
    record UserClass(Octets value) implements DhcpOption {
        public int code() {
            return USER_CLASS;
        }

        public String text() {
            return value.latin1();
        }
    }

    /** Option 93 (RFC 4578): the client's architecture types, 16 bits each. */
    record ClientArchitectures(List<Integer> types) implements DhcpOption {
        public ClientArchitectures {
            types = List.copyOf(types);
            if (types.isEmpty()) {
                throw new IllegalArgumentException("option 93 names at least one architecture");
            }
        }

        public int code() {
            return CLIENT_ARCHITECTURE;
        }
    }

    /** Option 94 (RFC 4578): network interface type (1 = UNDI) and its version. */
    record ClientNetworkInterface(int type, int major, int minor) implements DhcpOption {
        public int code() {
            return CLIENT_NETWORK_INTERFACE;
        }

        @Override
        public String toString() {
            return type + "." + major + "." + minor;
        }
    }

    /** Option 97 (RFC 4578): type 0 and a 16-byte GUID, or empty as some clients send it. */
    record ClientMachineId(Optional<MachineGuid> guid) implements DhcpOption {
        public int code() {
            return CLIENT_MACHINE_ID;
        }
    }

    /** Option 175: iPXE's encapsulated settings; its presence alone says "this is iPXE". */
    record IpxeEncapsulated(Octets value) implements DhcpOption {
        public int code() {
            return IPXE_ENCAPSULATED;
        }
    }

    /** Any other option, kept byte for byte. */
    record Unknown(int code, Octets value) implements DhcpOption {
        public Unknown {
            if (code <= PAD || code >= END) {
                throw new IllegalArgumentException("option code " + code + " carries no value");
            }
        }
    }
}
