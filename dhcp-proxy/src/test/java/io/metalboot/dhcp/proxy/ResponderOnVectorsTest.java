package io.metalboot.dhcp.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.dhcp.codec.DhcpMessageDecoder;
import io.metalboot.dhcp.codec.Vectors;
import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.Octets;
import io.metalboot.dhcp.proxy.ProxyDhcpResponder.Answer;
import io.metalboot.dhcp.proxy.ProxyDhcpResponder.Drop;
import io.metalboot.dhcp.proxy.ProxyDhcpResponder.Listener;
import io.metalboot.dhcp.proxy.ProxyDhcpResponder.Response;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What each real client (and each spec-built one) is told, by the default policy, with the
 * proxy at 10.99.0.2 as it was when the vectors were captured (site DHCP server: 10.99.0.1).
 */
class ResponderOnVectorsTest {
    private static final Map<String, byte[]> VECTORS = Vectors.all();
    private static final ProxyDhcpSettings SETTINGS = new ProxyDhcpSettings(Requests.ip("10.99.0.2"), null, 67, 4011,
            ProxyMode.OFFER, BootFilePolicy.defaults(), "http://{server}:{http-port}/boot.ipxe?mac={mac}", 8080);

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "ovmf-pxe-discover               | DHCP        | snponly.efi",
        "ipxe-bios-discover              | DHCP        | http://10.99.0.2:8080/boot.ipxe?mac=52:54:00:00:00:01",
        "ipxe-efi-discover               | DHCP        | http://10.99.0.2:8080/boot.ipxe?mac=52:54:00:00:00:03",
        "ovmf-httpboot-discover          | DHCP        | http://10.99.0.2:8080/ipxe/snponly.efi",
        "spec-bios-pxe-discover          | DHCP        | undionly.kpxe",
        "spec-empty-guid-discover        | DHCP        | undionly.kpxe",
        "spec-httpboot-x64-discover      | DHCP        | http://10.99.0.2:8080/ipxe/snponly.efi",
        "spec-relayed-discover           | DHCP        | snponly.efi",
        "spec-overload-discover          | DHCP        | snponly.efi",
        "ovmf-pxe-bootserver-request     | BOOT_SERVER | snponly.efi",
        "ipxe-bios-proxy-request         | BOOT_SERVER | http://10.99.0.2:8080/boot.ipxe?mac=52:54:00:00:00:01",
        "ipxe-efi-proxy-request          | BOOT_SERVER | http://10.99.0.2:8080/boot.ipxe?mac=52:54:00:00:00:03",
        "ipxe-bios-pxebs-request         | BOOT_SERVER | http://10.99.0.2:8080/boot.ipxe?mac=52:54:00:00:00:01",
    })
    void isToldWhatToBoot(String vector, Listener listener, String bootTarget) throws Exception {
        Answer answer = assertInstanceOf(Answer.class, respond(vector, listener));
        assertEquals(bootTarget, answer.bootTarget());
        assertEquals(bootTarget, answer.reply().option(DhcpOption.BootFileName.class).orElseThrow().value());
        assertEquals("0.0.0.0", answer.reply().yiaddr().getHostAddress());
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "ovmf-pxe-request                | DHCP | FOR_ANOTHER_SERVER",
        "ipxe-bios-request               | DHCP | FOR_ANOTHER_SERVER",
        "ipxe-efi-request                | DHCP | FOR_ANOTHER_SERVER",
        "ovmf-httpboot-request           | DHCP | FOR_ANOTHER_SERVER",
        "spec-uefi-ia32-discover         | DHCP | NO_BOOT_FILE_FOR_ARCHITECTURE",
        "spec-uefi-arm64-discover        | DHCP | NO_BOOT_FILE_FOR_ARCHITECTURE",
        "spec-httpboot-arm64-discover    | DHCP | NO_BOOT_FILE_FOR_ARCHITECTURE",
    })
    void staysSilent(String vector, Listener listener, DropReason reason) throws Exception {
        assertEquals(new Drop(reason), respond(vector, listener));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"spec-relayed-discover"})
    void relayedRequestsAreAnsweredToTheRelay(String vector) throws Exception {
        Answer answer = assertInstanceOf(Answer.class, respond(vector, Listener.DHCP));
        assertEquals(new InetSocketAddress(Requests.ip("10.20.30.1"), 67), answer.recipient());
    }

    @Test
    void anOverloadedDiscoverIsAnsweredAsItsOptionsInTheOptionsFieldWouldBe() throws Exception {
        DhcpMessage overloaded = DhcpMessageDecoder.decode(VECTORS.get("spec-overload-discover"));
        DhcpMessage plain = Vectors.withoutOverload(overloaded);
        assertTrue(overloaded.optionsField().stream().noneMatch(DhcpOption.VendorClass.class::isInstance),
                "60 is in the file field");
        assertTrue(plain.optionsField().stream().anyMatch(DhcpOption.VendorClass.class::isInstance));
        PxeClient[] seen = new PxeClient[2];

        InetSocketAddress sender = new InetSocketAddress(overloaded.ciaddr(), 68);
        Response toOverloaded = responder(client -> seen[0] = client).respond(overloaded, sender, Listener.DHCP);
        Response toPlain = responder(client -> seen[1] = client).respond(plain, sender, Listener.DHCP);

        assertEquals(toPlain, toOverloaded);
        assertEquals(seen[1], seen[0]);
        assertEquals("84838281-8685-8887-898a-8b8c8d8e8f90", seen[0].guid().orElseThrow().toString(),
                "the GUID from option 97 in the sname field");
        DhcpMessage reply = assertInstanceOf(Answer.class, toOverloaded).reply();
        assertEquals(Octets.zeros(DhcpMessage.SNAME_LENGTH), reply.sname(), "no option bytes echoed as a name");
        assertEquals("snponly.efi", reply.file().nulTerminated());
    }

    /** A responder whose gate lets every machine boot and hands it to {@code seen} first. */
    private static ProxyDhcpResponder responder(Consumer<PxeClient> seen) {
        return new ProxyDhcpResponder(SETTINGS, client -> {
            seen.accept(client);
            return NetbootGate.Decision.BOOT;
        });
    }

    private static Response respond(String vector, Listener listener) throws Exception {
        DhcpMessage request = DhcpMessageDecoder.decode(VECTORS.get(vector));
        InetSocketAddress sender = new InetSocketAddress(request.ciaddr(), 68);
        return new ProxyDhcpResponder(SETTINGS, NetbootGate.OPEN).respond(request, sender, listener);
    }
}
