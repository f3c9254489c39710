package io.metalboot.lab.storm;

import io.metalboot.dhcp.codec.DhcpDecodeException;
import io.metalboot.dhcp.codec.DhcpMessageDecoder;
import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.MachineGuid;
import io.metalboot.dhcp.model.Octets;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DHCPDISCOVERs a storm machine sends, made from real ones: dhcp-proxy's captured test vectors
 * of OVMF's PXE client ({@code ovmf-pxe-discover}: PXEClient arch 7, option 97) and of iPXE EFI
 * ({@code ipxe-efi-discover}: also options 77 {@code iPXE}, 175 and 61), and OVMF's REQUEST to a
 * boot server ({@code ovmf-pxe-bootserver-request}). Each machine's copy has
 * its own XID, chaddr, GUID (97) and client identifier (61); every other byte is as captured.
 */
final class FirmwareDiscovers {
    private static final DhcpMessage OVMF = load("ovmf-pxe-discover.bin");
    private static final DhcpMessage IPXE = load("ipxe-efi-discover.bin");
    private static final DhcpMessage OVMF_BOOT_SERVER = load("ovmf-pxe-bootserver-request.bin");

    private FirmwareDiscovers() {
    }

    /** OVMF's PXE DISCOVER, as the firmware sends it at power-on. */
    static DhcpMessage ovmf(StormMachine machine) {
        return forMachine(OVMF, machine, machine.xid(0));
    }

    /** iPXE's DISCOVER (snponly.efi running), which the ProxyDHCP answers with the script URL. */
    static DhcpMessage ipxe(StormMachine machine) {
        return forMachine(IPXE, machine, machine.xid(1));
    }

    /**
     * OVMF's REQUEST to the ProxyDHCP's port 4011 (captured beside dnsmasq), sent when the proxy's
     * OFFER names no boot file and has no PXE option 43: it asks the boot server for the file, from
     * the address the site gave it ({@code ciaddr}).
     */
    static DhcpMessage ovmfBootServerRequest(StormMachine machine, Inet4Address clientAddress) {
        DhcpMessage request = forMachine(OVMF_BOOT_SERVER, machine, machine.xid(2));
        return new DhcpMessage(request.op(), request.htype(), request.hlen(), request.hops(), request.xid(),
                request.secs(), request.flags(), clientAddress, request.yiaddr(), request.siaddr(), request.giaddr(),
                request.chaddr(), request.sname(), request.file(), request.options(), request.optionsFieldCount(),
                request.trailer());
    }

    private static DhcpMessage forMachine(DhcpMessage captured, StormMachine machine, int xid) {
        byte[] chaddr = new byte[DhcpMessage.CHADDR_LENGTH];
        System.arraycopy(machine.mac(), 0, chaddr, 0, 6);
        List<DhcpOption> options = new ArrayList<>();
        for (DhcpOption option : captured.options()) {
            options.add(switch (option) {
                case DhcpOption.ClientMachineId id -> new DhcpOption.ClientMachineId(
                        Optional.of(new MachineGuid(Octets.of(machine.guidWire()))));
                case DhcpOption.ClientIdentifier id -> {
                    byte[] value = new byte[7];
                    value[0] = 1; // Ethernet
                    System.arraycopy(machine.mac(), 0, value, 1, 6);
                    yield new DhcpOption.ClientIdentifier(Octets.of(value));
                }
                default -> option;
            });
        }
        return new DhcpMessage(captured.op(), captured.htype(), captured.hlen(), captured.hops(), xid, captured.secs(),
                captured.flags(), captured.ciaddr(), captured.yiaddr(), captured.siaddr(), captured.giaddr(),
                Octets.of(chaddr), captured.sname(), captured.file(), options, captured.optionsFieldCount(),
                captured.trailer());
    }

    private static DhcpMessage load(String name) {
        try (InputStream in = FirmwareDiscovers.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + name + " beside " + FirmwareDiscovers.class);
            }
            return DhcpMessageDecoder.decode(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DhcpDecodeException e) {
            throw new IllegalStateException(name + " does not decode: " + e.getMessage(), e);
        }
    }
}
