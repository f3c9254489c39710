package io.metalboot.dhcp.proxy;

import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.MachineGuid;
import io.metalboot.dhcp.model.MessageType;
import io.metalboot.dhcp.model.Octets;
import io.metalboot.machine.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Client requests for tests, built field by field like a PXE ROM would send them. */
final class Requests {
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    static final MachineGuid GUID = new MachineGuid(Octets.ofHex("44332211665588779900aabbccddeeff"));

    private MessageType type = MessageType.DISCOVER;
    private String vendorClass = "PXEClient:Arch:00007:UNDI:003000";
    private Integer arch = 7;
    private boolean ipxe;
    private Inet4Address ciaddr = ip("0.0.0.0");
    private Inet4Address giaddr = ip("0.0.0.0");
    private final List<DhcpOption> extra = new ArrayList<>();

    static Requests discover() {
        return new Requests();
    }

    Requests type(MessageType value) {
        type = value;
        return this;
    }

    Requests vendorClass(String value) {
        vendorClass = value;
        return this;
    }

    Requests arch(Integer value) {
        arch = value;
        return this;
    }

    Requests ipxe() {
        ipxe = true;
        return this;
    }

    Requests ciaddr(String value) {
        ciaddr = ip(value);
        return this;
    }

    Requests giaddr(String value) {
        giaddr = ip(value);
        return this;
    }

    Requests with(DhcpOption option) {
        extra.add(option);
        return this;
    }

    DhcpMessage build() {
        List<DhcpOption> options = new ArrayList<>();
        options.add(new DhcpOption.MessageTypeOption(type));
        options.add(new DhcpOption.ParameterRequestList(List.of(1, 3, 43, 60, 66, 67)));
        if (vendorClass != null) {
            options.add(new DhcpOption.VendorClass(vendorClass));
        }
        if (arch != null) {
            options.add(new DhcpOption.ClientArchitectures(List.of(arch)));
        }
        options.add(new DhcpOption.ClientNetworkInterface(1, 3, 10));
        options.add(new DhcpOption.ClientMachineId(Optional.of(GUID)));
        if (ipxe) {
            options.add(new DhcpOption.UserClass(Octets.ofLatin1("iPXE")));
            options.add(new DhcpOption.IpxeEncapsulated(Octets.ofHex("1001011501011901011a0101")));
        }
        options.addAll(extra);
        byte[] chaddr = Arrays.copyOf(MAC.toByteArray(), 16);
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, 1, 6, 0, 0x1234abcd, 4, DhcpMessage.FLAG_BROADCAST,
                ciaddr, ip("0.0.0.0"), ip("0.0.0.0"), giaddr, Octets.of(chaddr), Octets.zeros(64),
                Octets.zeros(128), options, Octets.EMPTY);
    }

    static Inet4Address ip(String text) {
        try {
            return (Inet4Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
