package io.metalboot.dhcp.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.metalboot.dhcp.codec.DhcpMessageDecoder;
import io.metalboot.dhcp.codec.DhcpMessageEncoder;
import io.metalboot.dhcp.codec.Vectors;
import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.MessageType;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The server on loopback: real sockets, real datagrams, the Netty pipeline end to end. A test that
 * needs root skips without it, but fails under {@code CI=true}.
 */
class ProxyDhcpServerTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static ProxyDhcpSettings settings(String interfaceName, int dhcpPort, int bootServerPort) {
        return new ProxyDhcpSettings(Requests.ip("127.0.0.1"), interfaceName, dhcpPort, bootServerPort,
                ProxyMode.OFFER, BootFilePolicy.defaults(), "http://{server}:{http-port}/boot.ipxe?mac={mac}", 8080);
    }

    /**
     * Skips the calling test when not run as root, except under {@code CI=true}, where it fails:
     * CI must run every test, the rule the lab's tests follow (vagrant's LabRequirements).
     */
    private static void assumeRoot(String reason) {
        if ("root".equals(System.getProperty("user.name"))) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(reason + " (running as " + System.getProperty("user.name")
                    + "): under CI=true that fails instead of skipping");
        }
        Assumptions.abort(reason);
    }

    private static int freePort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }

    private static DhcpMessage exchange(DatagramSocket client, byte[] request, int port) throws Exception {
        client.send(new DatagramPacket(request, request.length, LOOPBACK, port));
        byte[] buffer = new byte[1500];
        DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
        client.receive(reply);
        return DhcpMessageDecoder.decode(Arrays.copyOf(buffer, reply.getLength()));
    }

    @Test
    void bootServerAnswersTheSenderAndSurvivesGarbage() throws Exception {
        int bootPort = freePort();
        try (ProxyDhcpServer server = new ProxyDhcpServer(settings(null, freePort(), bootPort), NetbootGate.OPEN);
                DatagramSocket client = new DatagramSocket(0, LOOPBACK)) {
            server.start();
            client.setSoTimeout(5000);
            for (byte[] garbage : new byte[][] {new byte[0], new byte[] {1, 2, 3}, new byte[400]}) {
                client.send(new DatagramPacket(garbage, garbage.length, LOOPBACK, bootPort));
            }
            byte[] request = DhcpMessageEncoder.encode(
                    Requests.discover().type(MessageType.REQUEST).ciaddr("127.0.0.1").build());

            DhcpMessage ack = exchange(client, request, bootPort);

            assertEquals(MessageType.ACK, ack.messageType().orElseThrow());
            assertEquals("snponly.efi", ack.file().nulTerminated());
            assertEquals(0x1234abcd, ack.xid());
            assertEquals(3, server.counters().droppedCount(DropReason.MALFORMED));
            assertEquals(1, server.counters().answeredCount());
        }
    }

    @Test
    void brokenOverloadedFieldsAreDroppedAndCountedAsMalformed() throws Exception {
        Map<String, byte[]> malformed = Vectors.malformed();
        int bootPort = freePort();
        try (ProxyDhcpServer server = new ProxyDhcpServer(settings(null, freePort(), bootPort), NetbootGate.OPEN);
                DatagramSocket client = new DatagramSocket(0, LOOPBACK)) {
            server.start();
            client.setSoTimeout(5000);
            for (byte[] packet : malformed.values()) {
                client.send(new DatagramPacket(packet, packet.length, LOOPBACK, bootPort));
            }
            byte[] request = DhcpMessageEncoder.encode(
                    Requests.discover().type(MessageType.REQUEST).ciaddr("127.0.0.1").build());

            // One channel reads its datagrams in order: once this answer is back, those before it are counted.
            DhcpMessage ack = exchange(client, request, bootPort);

            assertEquals(MessageType.ACK, ack.messageType().orElseThrow());
            assertEquals(Map.of(DropReason.MALFORMED, (long) malformed.size()), server.counters().drops());
            assertEquals(1, server.counters().answeredCount());
        }
    }

    @Test
    void bindsToOneInterfaceAndStillHearsIt() throws Exception {
        int bootPort = freePort();
        try (ProxyDhcpServer server = new ProxyDhcpServer(settings("lo", freePort(), bootPort), NetbootGate.OPEN);
                DatagramSocket client = new DatagramSocket(0, LOOPBACK)) {
            server.start();
            client.setSoTimeout(5000);
            byte[] request = DhcpMessageEncoder.encode(
                    Requests.discover().type(MessageType.REQUEST).ciaddr("127.0.0.1").ipxe().build());
            DhcpMessage ack = exchange(client, request, bootPort);
            assertTrue(ack.option(DhcpOption.BootFileName.class).orElseThrow().value()
                    .startsWith("http://127.0.0.1:8080/boot.ipxe?mac=52:54:00:12:34:56"));
        }
    }

    @Test
    void anUnknownInterfaceIsAClearErrorAndNothingStaysBound() throws Exception {
        int dhcpPort = freePort();
        ProxyDhcpServer server = new ProxyDhcpServer(settings("nosuchif0", dhcpPort, freePort()), NetbootGate.OPEN);
        IOException error = assertThrows(IOException.class, server::start);
        assertTrue(error.getMessage().contains("nosuchif0"), error.getMessage());
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(dhcpPort))) {
            assertEquals(dhcpPort, again.getLocalPort());
        }
    }

    @Test
    void relayedDiscoverIsAnsweredToTheRelayOnPort67() throws Exception {
        assumeRoot("binding port 67 needs root");
        int dhcpPort = freePort();
        try (ProxyDhcpServer server = new ProxyDhcpServer(settings(null, dhcpPort, freePort()), NetbootGate.OPEN);
                DatagramSocket relay = new DatagramSocket(new InetSocketAddress(LOOPBACK, 67))) {
            server.start();
            relay.setSoTimeout(5000);
            DhcpMessage offer = exchange(relay,
                    DhcpMessageEncoder.encode(Requests.discover().giaddr("127.0.0.1").arch(0).build()), dhcpPort);
            assertEquals(MessageType.OFFER, offer.messageType().orElseThrow());
            assertEquals("undionly.kpxe", offer.file().nulTerminated());
            assertEquals("127.0.0.1", offer.giaddr().getHostAddress());
        }
    }
}
