package io.metalboot.dhcp.proxy;

import java.util.Optional;

/**
 * Which boot file each client architecture gets (RFC 4578 section 2.1, IANA "Processor
 * Architecture Types"). A null entry means "no file for that architecture": such clients get
 * no answer rather than a file they cannot run. HTTP entries are URL templates (see
 * {@link ProxyDhcpSettings}).
 */
public record BootFilePolicy(String bios, String uefiX64, String uefiIa32, String uefiArm64, String httpX64,
        String httpArm64) {

    public static final int ARCH_BIOS = 0;
    public static final int ARCH_UEFI_IA32 = 6;
    public static final int ARCH_UEFI_X64 = 7;
    /** IANA lists 9 as EBC, but x86-64 UEFI firmware sends it; treated as x86-64. */
    public static final int ARCH_UEFI_EBC = 9;
    public static final int ARCH_UEFI_ARM64 = 11;
    public static final int ARCH_UEFI_HTTP_X64 = 16;
    public static final int ARCH_UEFI_HTTP_ARM64 = 19;

    /** iPXE's builds as Debian ships them in the {@code ipxe} package. */
    public static BootFilePolicy defaults() {
        return new BootFilePolicy("undionly.kpxe", "snponly.efi", null, null,
                "http://{server}:{http-port}/ipxe/snponly.efi", null);
    }

    /** The entries that are set, for checking their placeholders. */
    public java.util.List<String> templates() {
        return java.util.stream.Stream.of(bios, uefiX64, uefiIa32, uefiArm64, httpX64, httpArm64)
                .filter(java.util.Objects::nonNull).toList();
    }

    /** The file (TFTP name, or URL template for HTTP boot) for a firmware of this architecture. */
    public Optional<String> forArchitecture(int architecture) {
        return Optional.ofNullable(switch (architecture) {
            case ARCH_BIOS -> bios;
            case ARCH_UEFI_IA32 -> uefiIa32;
            case ARCH_UEFI_X64, ARCH_UEFI_EBC -> uefiX64;
            case ARCH_UEFI_ARM64 -> uefiArm64;
            case ARCH_UEFI_HTTP_X64 -> httpX64;
            case ARCH_UEFI_HTTP_ARM64 -> httpArm64;
            default -> null;
        });
    }
}
