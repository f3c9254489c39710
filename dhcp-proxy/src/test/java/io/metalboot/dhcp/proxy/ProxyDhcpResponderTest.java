package io.metalboot.dhcp.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.dhcp.codec.DhcpDecodeException;
import io.metalboot.dhcp.codec.PxeVendorOptionsCodec;
import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.MessageType;
import io.metalboot.dhcp.model.PxeVendorOption;
import io.metalboot.dhcp.proxy.ProxyDhcpResponder.Answer;
import io.metalboot.dhcp.proxy.ProxyDhcpResponder.Drop;
import io.metalboot.dhcp.proxy.ProxyDhcpResponder.Listener;
import io.metalboot.dhcp.proxy.ProxyDhcpResponder.Response;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyDhcpResponderTest {
    private static final String SERVER = "10.20.0.2";
    private static final InetSocketAddress FROM_UNCONFIGURED = new InetSocketAddress(Requests.ip("0.0.0.0"), 68);

    private static ProxyDhcpSettings settings(ProxyMode mode) {
        return new ProxyDhcpSettings(Requests.ip(SERVER), null, 67, 4011, mode,
                new BootFilePolicy("undionly.kpxe", "snponly.efi", null, "arm64/snp.efi",
                        "http://{server}:{http-port}/ipxe/snponly.efi", null),
                "http://{server}:{http-port}/boot.ipxe?mac={mac}&uuid={uuid}", 8080);
    }

    private static Response respond(DhcpMessage request) {
        return new ProxyDhcpResponder(settings(ProxyMode.OFFER), NetbootGate.OPEN)
                .respond(request, FROM_UNCONFIGURED, Listener.DHCP);
    }

    private static Answer answer(Response response) {
        return assertInstanceOf(Answer.class, response);
    }

    @ParameterizedTest(name = "arch {0} ({1}) -> {2}")
    @CsvSource({
        "0, PXEClient:Arch:00000:UNDI:002001, undionly.kpxe",
        "7, PXEClient:Arch:00007:UNDI:003000, snponly.efi",
        "9, PXEClient:Arch:00009:UNDI:003000, snponly.efi",
        "11, PXEClient:Arch:00011:UNDI:003000, arm64/snp.efi",
    })
    void offersTheBootFileForTheArchitecture(int arch, String vendorClass, String file) {
        Answer answer = answer(respond(Requests.discover().arch(arch).vendorClass(vendorClass).build()));
        DhcpMessage offer = answer.reply();

        assertEquals(MessageType.OFFER, offer.messageType().orElseThrow());
        assertEquals(file, offer.file().nulTerminated());
        assertEquals(file, offer.option(DhcpOption.BootFileName.class).orElseThrow().value());
        assertEquals(SERVER, offer.siaddr().getHostAddress());
        assertEquals("0.0.0.0", offer.yiaddr().getHostAddress(), "a proxy never offers an address");
        assertEquals(SERVER, offer.option(DhcpOption.ServerIdentifier.class).orElseThrow().address().getHostAddress());
        assertEquals("PXEClient", offer.option(DhcpOption.VendorClass.class).orElseThrow().value());
        assertEquals(Requests.GUID, offer.option(DhcpOption.ClientMachineId.class).orElseThrow().guid().orElseThrow(),
                "PXE clients expect their GUID echoed");
        assertEquals(0x1234abcd, offer.xid());
        assertEquals(DhcpMessage.BOOTREPLY, offer.op());
        assertEquals(new InetSocketAddress(Requests.ip("255.255.255.255"), 68), answer.recipient());
    }

    @Test
    void offerTellsPxeFirmwareToDownloadTheFileWithoutDiscovery() throws DhcpDecodeException {
        DhcpMessage offer = answer(respond(Requests.discover().build())).reply();
        List<PxeVendorOption> pxe = PxeVendorOptionsCodec.decode(
                offer.option(DhcpOption.VendorSpecific.class).orElseThrow().value());
        assertEquals(List.of(new PxeVendorOption.DiscoveryControl(PxeVendorOption.DOWNLOAD_BOOT_FILE)), pxe);
    }

    @Test
    void architectureFallsBackToVendorClassThenBios() {
        Answer fromVendorClass = answer(respond(Requests.discover().arch(null).build()));
        assertEquals("snponly.efi", fromVendorClass.bootTarget());
        Answer neither = answer(respond(Requests.discover().arch(null).vendorClass("PXEClient").build()));
        assertEquals("undionly.kpxe", neither.bootTarget());
    }

    @Test
    void ipxeGetsThePerMachineScriptUrlSoItNeverChainsItselfAgain() {
        Answer answer = answer(respond(Requests.discover().ipxe().build()));
        String url = "http://10.20.0.2:8080/boot.ipxe?mac=52:54:00:12:34:56&uuid=11223344-5566-7788-9900-aabbccddeeff";
        assertEquals(url, answer.bootTarget());
        assertEquals(url, answer.reply().file().nulTerminated());
        assertTrue(answer.reply().option(DhcpOption.VendorSpecific.class).isEmpty());
    }

    @Test
    void ipxeIsRecognisedByOption175Alone() {
        DhcpMessage request = Requests.discover()
                .with(new DhcpOption.IpxeEncapsulated(io.metalboot.dhcp.model.Octets.ofHex("130101"))).build();
        assertTrue(answer(respond(request)).bootTarget().startsWith("http://10.20.0.2:8080/boot.ipxe"));
    }

    @Test
    void httpBootGetsAUrlAndTheHttpClientVendorClass() {
        Answer answer = answer(respond(Requests.discover().arch(16).vendorClass("HTTPClient:Arch:00016:UNDI:003001")
                .build()));
        assertEquals("http://10.20.0.2:8080/ipxe/snponly.efi", answer.bootTarget());
        assertEquals("HTTPClient", answer.reply().option(DhcpOption.VendorClass.class).orElseThrow().value());
        assertTrue(answer.reply().option(DhcpOption.TftpServerName.class).isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "no vendor class, , NOT_A_PXE_CLIENT",
        "ordinary client, MSFT 5.0, NOT_A_PXE_CLIENT",
        "arch without a file (IA32), PXEClient:Arch:00006:UNDI:003000, NO_BOOT_FILE_FOR_ARCHITECTURE",
        "HTTP boot ARM64 not configured, HTTPClient:Arch:00019:UNDI:003000, NO_BOOT_FILE_FOR_ARCHITECTURE",
    })
    void staysSilent(String why, String vendorClass, DropReason reason) {
        int arch = vendorClass == null ? 7 : vendorClass.contains("00006") ? 6 : vendorClass.contains("00019") ? 19 : 7;
        Response response = respond(Requests.discover().vendorClass(vendorClass).arch(arch).build());
        assertEquals(new Drop(reason), response);
    }

    @Test
    void aRequestNamingAnotherServerOrNoneIsNeverAnswered() {
        DhcpMessage toSite = Requests.discover().type(MessageType.REQUEST)
                .with(new DhcpOption.ServerIdentifier(Requests.ip("10.20.0.1"))).build();
        assertEquals(new Drop(DropReason.FOR_ANOTHER_SERVER), respond(toSite));
        DhcpMessage renewing = Requests.discover().type(MessageType.REQUEST).ciaddr("10.20.0.50").build();
        assertEquals(new Drop(DropReason.FOR_ANOTHER_SERVER), respond(renewing));
    }

    @Test
    void aRequestNamingThisServerGetsAnAck() {
        DhcpMessage toUs = Requests.discover().type(MessageType.REQUEST)
                .with(new DhcpOption.ServerIdentifier(Requests.ip(SERVER))).build();
        assertEquals(MessageType.ACK, answer(respond(toUs)).reply().messageType().orElseThrow());
    }

    @Test
    void repliesGoToTheRelayThenTheClientAddressThenBroadcast() {
        assertEquals(new InetSocketAddress(Requests.ip("10.30.0.1"), 67),
                answer(respond(Requests.discover().giaddr("10.30.0.1").ciaddr("10.30.0.9").build())).recipient());
        assertEquals(new InetSocketAddress(Requests.ip("10.20.0.9"), 68),
                answer(respond(Requests.discover().ciaddr("10.20.0.9").build())).recipient());
        DhcpMessage relayed = answer(respond(Requests.discover().giaddr("10.30.0.1").build())).reply();
        assertEquals("10.30.0.1", relayed.giaddr().getHostAddress(), "the relay needs its giaddr back");
    }

    @Test
    void repliesAreNeverSentForNonDhcpOrReplyMessages() {
        DhcpMessage offerFromElsewhere = Requests.discover().type(MessageType.OFFER).build();
        assertEquals(new Drop(DropReason.NOT_A_PXE_REQUEST), respond(offerFromElsewhere));
        DhcpMessage release = Requests.discover().type(MessageType.RELEASE).build();
        assertEquals(new Drop(DropReason.NOT_A_PXE_REQUEST), respond(release));
    }

    @Test
    void theGateDecidesPerMachine() {
        ProxyDhcpResponder localOnly = new ProxyDhcpResponder(settings(ProxyMode.OFFER),
                client -> client.mac().equals(Requests.MAC) ? NetbootGate.Decision.LOCAL_BOOT_ONLY
                        : NetbootGate.Decision.BOOT);
        assertEquals(new Drop(DropReason.LOCAL_BOOT_ONLY),
                localOnly.respond(Requests.discover().build(), FROM_UNCONFIGURED, Listener.DHCP));
        ProxyDhcpResponder knownOnly = new ProxyDhcpResponder(settings(ProxyMode.OFFER),
                client -> NetbootGate.Decision.UNKNOWN_MACHINE);
        assertEquals(new Drop(DropReason.UNKNOWN_MACHINE),
                knownOnly.respond(Requests.discover().build(), FROM_UNCONFIGURED, Listener.DHCP));
    }

    @Test
    void theGateSeesWhatTheRequestSaysOfTheMachine() {
        PxeClient[] seen = new PxeClient[1];
        new ProxyDhcpResponder(settings(ProxyMode.OFFER), client -> {
            seen[0] = client;
            return NetbootGate.Decision.BOOT;
        }).respond(Requests.discover().ipxe().arch(0).build(), FROM_UNCONFIGURED, Listener.DHCP);
        assertEquals(new PxeClient(Requests.MAC, java.util.Optional.of(Requests.GUID), 0, true, false, false), seen[0]);
    }

    @Test
    void theGateIsToldWhenARequestCameThroughARelay() {
        PxeClient[] seen = new PxeClient[1];
        ProxyDhcpResponder responder = new ProxyDhcpResponder(settings(ProxyMode.OFFER), client -> {
            seen[0] = client;
            return NetbootGate.Decision.BOOT;
        });
        responder.respond(Requests.discover().giaddr("10.30.0.1").build(), FROM_UNCONFIGURED, Listener.DHCP);
        assertTrue(seen[0].relayed(), "giaddr set: relayed");
        responder.respond(Requests.discover().build(), FROM_UNCONFIGURED, Listener.DHCP);
        assertFalse(seen[0].relayed(), "giaddr 0.0.0.0: on the proxy's own link");
    }

    @Test
    void menuModeOffersABootMenuInsteadOfAFile() throws DhcpDecodeException {
        ProxyDhcpResponder menu = new ProxyDhcpResponder(settings(ProxyMode.MENU), NetbootGate.OPEN);
        DhcpMessage offer = answer(menu.respond(Requests.discover().build(), FROM_UNCONFIGURED, Listener.DHCP))
                .reply();

        assertEquals("", offer.file().nulTerminated());
        assertTrue(offer.option(DhcpOption.BootFileName.class).isEmpty());
        List<PxeVendorOption> pxe = PxeVendorOptionsCodec.decode(
                offer.option(DhcpOption.VendorSpecific.class).orElseThrow().value());
        assertTrue(pxe.contains(new PxeVendorOption.DiscoveryControl(PxeVendorOption.ONLY_LISTED_SERVERS)));
        assertTrue(pxe.contains(new PxeVendorOption.BootServers(List.of(new PxeVendorOption.BootServer(
                ProxyDhcpResponder.BOOT_SERVER_TYPE, List.of(Requests.ip(SERVER)))))));
        assertTrue(pxe.stream().anyMatch(PxeVendorOption.BootMenu.class::isInstance));
        assertTrue(pxe.stream().anyMatch(PxeVendorOption.MenuPrompt.class::isInstance));
    }

    @Test
    void bootServerAcksTheRequestedItemWithTheFileToTheSender() throws DhcpDecodeException {
        ProxyDhcpResponder menu = new ProxyDhcpResponder(settings(ProxyMode.MENU), NetbootGate.OPEN);
        PxeVendorOption item = new PxeVendorOption.BootItem(ProxyDhcpResponder.BOOT_SERVER_TYPE, 0);
        DhcpMessage request = Requests.discover().type(MessageType.REQUEST).ciaddr("10.20.0.77")
                .with(new DhcpOption.VendorSpecific(PxeVendorOptionsCodec.encode(List.of(item)))).build();
        InetSocketAddress client = new InetSocketAddress(Requests.ip("10.20.0.77"), 4011);

        Answer answer = answer(menu.respond(request, client, Listener.BOOT_SERVER));

        assertEquals(client, answer.recipient());
        assertEquals(MessageType.ACK, answer.reply().messageType().orElseThrow());
        assertEquals("snponly.efi", answer.reply().file().nulTerminated());
        assertEquals("10.20.0.77", answer.reply().ciaddr().getHostAddress());
        assertEquals(List.of(item), PxeVendorOptionsCodec.decode(
                answer.reply().option(DhcpOption.VendorSpecific.class).orElseThrow().value()));
    }

    @Test
    void bootServerIgnoresDiscovers() {
        ProxyDhcpResponder responder = new ProxyDhcpResponder(settings(ProxyMode.MENU), NetbootGate.OPEN);
        assertEquals(new Drop(DropReason.NOT_A_PXE_REQUEST),
                responder.respond(Requests.discover().build(), FROM_UNCONFIGURED, Listener.BOOT_SERVER));
    }

    @Test
    void anUrlTooLongForTheFileFieldTravelsInOption67Only() {
        String longUrl = "http://{server}:{http-port}/" + "x".repeat(140);
        ProxyDhcpSettings s = settings(ProxyMode.OFFER);
        ProxyDhcpSettings longScript = new ProxyDhcpSettings(s.serverAddress(), null, 67, 4011, ProxyMode.OFFER,
                s.bootFiles(), longUrl, 8080);
        DhcpMessage offer = answer(new ProxyDhcpResponder(longScript, NetbootGate.OPEN)
                .respond(Requests.discover().ipxe().build(), FROM_UNCONFIGURED, Listener.DHCP)).reply();
        assertEquals("", offer.file().nulTerminated());
        assertFalse(offer.option(DhcpOption.BootFileName.class).orElseThrow().value().isEmpty());
    }
}
