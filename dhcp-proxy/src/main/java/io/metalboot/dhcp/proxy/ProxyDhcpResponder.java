package io.metalboot.dhcp.proxy;

import io.metalboot.dhcp.codec.DhcpDecodeException;
import io.metalboot.dhcp.codec.PxeVendorOptionsCodec;
import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.MachineGuid;
import io.metalboot.dhcp.model.MessageType;
import io.metalboot.dhcp.model.Octets;
import io.metalboot.dhcp.model.PxeVendorOption;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.UrlTemplate;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ProxyDHCP's policy: given a request, what (if anything) to answer and where to send it.
 * No I/O here; {@link ProxyDhcpHandler} does that.
 *
 * <p>Rules: only PXE and HTTP-boot clients are answered; no address is ever offered (yiaddr 0);
 * iPXE gets the HTTP script URL so that it never chain-loads itself again; other firmware gets
 * the boot file for its architecture.
 */
public final class ProxyDhcpResponder {
    /** Boot server type used in menu mode (PXE spec: 0x8000 and up are free for vendors). */
    static final int BOOT_SERVER_TYPE = 0x8000;
    private static final Pattern ARCH_IN_VENDOR_CLASS = Pattern.compile(":Arch:(\\d{5})");
    private static final Inet4Address ANY = (Inet4Address) address(new byte[4]);
    private static final Inet4Address BROADCAST = (Inet4Address) address(new byte[] {-1, -1, -1, -1});
    private static final int CLIENT_PORT = 68;
    private static final int SERVER_PORT = 67;

    /** Which socket a request came in on. */
    public enum Listener {
        /** Port 67: DISCOVERs from booting firmware. */
        DHCP,
        /** Port 4011: boot-server discovery REQUESTs. */
        BOOT_SERVER
    }

    /** The outcome for one request. */
    public sealed interface Response {
    }

    /** Send {@code reply} to {@code recipient}; {@code bootTarget} is what the client was told to boot. */
    public record Answer(DhcpMessage reply, InetSocketAddress recipient, String bootTarget) implements Response {
    }

    /** Say nothing, for this reason. */
    public record Drop(DropReason reason) implements Response {
    }

    private final ProxyDhcpSettings settings;
    private final NetbootGate gate;

    public ProxyDhcpResponder(ProxyDhcpSettings settings, NetbootGate gate) {
        this.settings = settings;
        this.gate = gate;
    }

    public Response respond(DhcpMessage request, InetSocketAddress sender, Listener listener) {
        if (request.op() != DhcpMessage.BOOTREQUEST) {
            return new Drop(DropReason.NOT_A_PXE_REQUEST);
        }
        Optional<MessageType> type = request.messageType();
        if (type.isEmpty()) {
            return new Drop(DropReason.NOT_A_PXE_REQUEST);
        }
        String vendorClass = request.option(DhcpOption.VendorClass.class).map(DhcpOption.VendorClass::value)
                .orElse("");
        boolean httpClient = vendorClass.startsWith("HTTPClient");
        if (!vendorClass.startsWith("PXEClient") && !httpClient) {
            return new Drop(DropReason.NOT_A_PXE_CLIENT);
        }
        Optional<MacAddress> mac = request.clientMac();
        if (mac.isEmpty()) {
            return new Drop(DropReason.UNSUPPORTED_HARDWARE);
        }
        MessageType replyType;
        switch (listener) {
            case DHCP -> {
                if (type.get() == MessageType.DISCOVER) {
                    replyType = MessageType.OFFER;
                } else if (type.get() == MessageType.REQUEST) {
                    boolean namesUs = request.option(DhcpOption.ServerIdentifier.class)
                            .map(id -> id.address().equals(settings.serverAddress()))
                            .orElse(false);
                    if (!namesUs) {
                        return new Drop(DropReason.FOR_ANOTHER_SERVER);
                    }
                    replyType = MessageType.ACK;
                } else {
                    return new Drop(DropReason.NOT_A_PXE_REQUEST);
                }
            }
            case BOOT_SERVER -> {
                if (type.get() != MessageType.REQUEST && type.get() != MessageType.INFORM) {
                    return new Drop(DropReason.NOT_A_PXE_REQUEST);
                }
                replyType = MessageType.ACK;
            }
            default -> throw new IllegalStateException("unknown listener " + listener);
        }

        Optional<MachineGuid> guid = request.option(DhcpOption.ClientMachineId.class)
                .flatMap(DhcpOption.ClientMachineId::guid);
        boolean ipxe = request.option(DhcpOption.IpxeEncapsulated.class).isPresent()
                || request.option(DhcpOption.UserClass.class).map(u -> u.text().equals("iPXE")).orElse(false);
        PxeClient client = new PxeClient(mac.get(), guid, architecture(request, vendorClass), ipxe, httpClient,
                !request.giaddr().equals(ANY));

        switch (gate.decide(client)) {
            case BOOT -> {
            }
            case UNKNOWN_MACHINE -> {
                return new Drop(DropReason.UNKNOWN_MACHINE);
            }
            case LOCAL_BOOT_ONLY -> {
                return new Drop(DropReason.LOCAL_BOOT_ONLY);
            }
        }

        Optional<String> bootTarget = ipxe
                ? Optional.of(expand(settings.ipxeScriptUrl(), client))
                : settings.bootFiles().forArchitecture(client.architecture()).map(file -> expand(file, client));
        if (bootTarget.isEmpty()) {
            return new Drop(DropReason.NO_BOOT_FILE_FOR_ARCHITECTURE);
        }

        // Menu mode applies to plain PXE firmware only: iPXE and HTTP boot take the file at once.
        boolean menu = settings.mode() == ProxyMode.MENU && !ipxe && !httpClient;
        List<DhcpOption> options = new ArrayList<>();
        options.add(new DhcpOption.MessageTypeOption(replyType));
        options.add(new DhcpOption.ServerIdentifier(settings.serverAddress()));
        options.add(new DhcpOption.VendorClass(httpClient ? "HTTPClient" : "PXEClient"));
        request.option(DhcpOption.ClientMachineId.class).ifPresent(options::add);

        String file;
        String told = bootTarget.get();
        if (menu && listener == Listener.DHCP) {
            file = "";
            told = "PXE menu (file on port " + settings.bootServerPort() + ": " + bootTarget.get() + ")";
            options.add(new DhcpOption.VendorSpecific(PxeVendorOptionsCodec.encode(menuOptions())));
        } else {
            file = bootTarget.get();
            if (!httpClient) {
                options.add(new DhcpOption.TftpServerName(settings.serverAddress().getHostAddress()));
            }
            options.add(new DhcpOption.BootFileName(file));
            if (listener == Listener.BOOT_SERVER) {
                requestedBootItem(request).ifPresent(item ->
                        options.add(new DhcpOption.VendorSpecific(PxeVendorOptionsCodec.encode(List.of(item)))));
            } else if (!ipxe && !httpClient) {
                options.add(new DhcpOption.VendorSpecific(PxeVendorOptionsCodec.encode(
                        List.of(new PxeVendorOption.DiscoveryControl(PxeVendorOption.DOWNLOAD_BOOT_FILE)))));
            }
        }
        if (file.length() >= DhcpMessage.FILE_LENGTH) {
            file = ""; // too long for the fixed field: option 67 alone carries it
        }

        DhcpMessage reply = new DhcpMessage(DhcpMessage.BOOTREPLY, request.htype(), request.hlen(), 0,
                request.xid(), 0, request.flags(), listener == Listener.BOOT_SERVER ? request.ciaddr() : ANY, ANY,
                settings.serverAddress(), request.giaddr(), request.chaddr(), Octets.zeros(DhcpMessage.SNAME_LENGTH),
                Octets.fixedField(file, DhcpMessage.FILE_LENGTH), options, Octets.EMPTY);
        return new Answer(reply, recipient(request, sender, listener), told);
    }

    private List<PxeVendorOption> menuOptions() {
        return List.of(
                new PxeVendorOption.DiscoveryControl(PxeVendorOption.ONLY_LISTED_SERVERS),
                new PxeVendorOption.BootServers(List.of(
                        new PxeVendorOption.BootServer(BOOT_SERVER_TYPE, List.of(settings.serverAddress())))),
                new PxeVendorOption.BootMenu(List.of(new PxeVendorOption.MenuEntry(BOOT_SERVER_TYPE, "metalboot"))),
                new PxeVendorOption.MenuPrompt(0, "metalboot"));
    }

    /** The boot item (43/71) a port-4011 REQUEST asks for; the ACK must echo it. */
    private static Optional<PxeVendorOption> requestedBootItem(DhcpMessage request) {
        Optional<DhcpOption.VendorSpecific> vendor = request.option(DhcpOption.VendorSpecific.class);
        if (vendor.isEmpty()) {
            return Optional.empty();
        }
        try {
            return PxeVendorOptionsCodec.decode(vendor.get().value()).stream()
                    .filter(PxeVendorOption.BootItem.class::isInstance)
                    .findFirst();
        } catch (DhcpDecodeException e) {
            return Optional.empty();
        }
    }

    /** Option 93, else the "Arch:" field of option 60, else BIOS (pre-RFC 4578 PXE ROMs send neither). */
    private static int architecture(DhcpMessage request, String vendorClass) {
        Optional<DhcpOption.ClientArchitectures> archs = request.option(DhcpOption.ClientArchitectures.class);
        if (archs.isPresent()) {
            return archs.get().types().getFirst();
        }
        Matcher matcher = ARCH_IN_VENDOR_CLASS.matcher(vendorClass);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : BootFilePolicy.ARCH_BIOS;
    }

    /** RFC 2131 section 4.1: relay, then a configured client, then broadcast. */
    private static InetSocketAddress recipient(DhcpMessage request, InetSocketAddress sender, Listener listener) {
        if (!request.giaddr().equals(ANY)) {
            return new InetSocketAddress(request.giaddr(), SERVER_PORT);
        }
        if (listener == Listener.BOOT_SERVER && sender != null && !sender.getAddress().isAnyLocalAddress()) {
            return sender; // PXE spec: the boot server answers the client's own address and port
        }
        if (!request.ciaddr().equals(ANY)) {
            return new InetSocketAddress(request.ciaddr(), CLIENT_PORT);
        }
        return new InetSocketAddress(BROADCAST, CLIENT_PORT);
    }

    private String expand(String template, PxeClient client) {
        return UrlTemplate.parse(template, ProxyDhcpSettings.PLACEHOLDERS).expand(Map.of(
                "server", settings.serverAddress().getHostAddress(),
                "http-port", Integer.toString(settings.httpPort()),
                "mac", client.mac().toString(),
                "uuid", client.guid().map(MachineGuid::toString).orElse(""),
                "arch", Integer.toString(client.architecture())));
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
