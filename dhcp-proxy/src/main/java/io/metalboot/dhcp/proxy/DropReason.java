package io.metalboot.dhcp.proxy;

/** Why a datagram got no answer. Each is counted. */
public enum DropReason {
    /** Not a DHCP message the codec accepts (truncated, bad option lengths, no cookie...). */
    MALFORMED,
    /** A BOOTREPLY, or a message type this server has nothing to say to. */
    NOT_A_PXE_REQUEST,
    /** An ordinary DHCP client (no option 60 PXEClient/HTTPClient): the site server's business. */
    NOT_A_PXE_CLIENT,
    /** A port-67 REQUEST that names another server, or none: meant for the site DHCP server. */
    FOR_ANOTHER_SERVER,
    /** Not Ethernet, or a hardware address that is not 6 bytes long. */
    UNSUPPORTED_HARDWARE,
    /** The architecture has no boot file configured (e.g. IA32, ARM64 without a build). */
    NO_BOOT_FILE_FOR_ARCHITECTURE,
    /** Only known machines boot, and this one is not known. */
    UNKNOWN_MACHINE,
    /** The machine must boot from its local disk, never from the network. */
    LOCAL_BOOT_ONLY
}
