package io.metalboot.lab;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * Sends PXE DHCPDISCOVERs as a lab host or a DHCP relay would, run inside a lab namespace (a
 * separate JVM: {@code ip netns exec NS java -cp … PxeDiscoverSender …}). Each names one MAC as
 * {@code chaddr} and says {@code PXEClient:Arch:00000} (BIOS) in option 60, with option 93 = 0.
 *
 * <pre>
 * PxeDiscoverSender TO_ADDRESS SOURCE_PORT GIADDR MACS_FILE
 * </pre>
 * {@code TO_ADDRESS} 255.255.255.255 (a client) or the ProxyDHCP's address (a relay, which sends
 * from port 67 with {@code giaddr} its own address on the client's segment); {@code GIADDR}
 * 0.0.0.0 for none; one MAC per line in {@code MACS_FILE}. Prints {@code sent N}.
 */
public final class PxeDiscoverSender {
    private static final int BOOTP_FIXED = 236;
    private static final byte[] MAGIC_COOKIE = {99, (byte) 130, 83, 99};

    private PxeDiscoverSender() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: PxeDiscoverSender TO_ADDRESS SOURCE_PORT GIADDR MACS_FILE");
            System.exit(2);
        }
        InetAddress to = InetAddress.getByName(args[0]);
        int sourcePort = Integer.parseInt(args[1]);
        InetAddress giaddr = InetAddress.getByName(args[2]);
        List<String> macs = Files.readAllLines(Path.of(args[3]), StandardCharsets.US_ASCII).stream()
                .map(String::strip).filter(line -> !line.isEmpty()).toList();
        int sent = 0;
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.setReuseAddress(true);
            socket.setBroadcast(true);
            socket.bind(new InetSocketAddress(sourcePort));
            for (String mac : macs) {
                byte[] packet = discover(HexFormat.ofDelimiter(":").parseHex(mac), giaddr, sent);
                socket.send(new DatagramPacket(packet, packet.length, to, 67));
                sent++;
                if (sent % 200 == 0) {
                    Thread.sleep(20); // a flood, but one the receiving socket's buffer can keep up with
                }
            }
        }
        System.out.println("sent " + sent);
    }

    /** RFC 2131's fixed part, the magic cookie, then options 53 (DISCOVER), 60, 93, 255. */
    static byte[] discover(byte[] mac, InetAddress giaddr, int xid) {
        byte[] vendorClass = "PXEClient:Arch:00000:UNDI:002001".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(BOOTP_FIXED + MAGIC_COOKIE.length + 3 + 2 + vendorClass.length + 4 + 1);
        out.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) (giaddr.isAnyLocalAddress() ? 0 : 1));
        out.putInt(0x4d420000 | (xid & 0xffff));
        out.putShort((short) 0).putShort((short) (giaddr.isAnyLocalAddress() ? 0x8000 : 0)); // secs, flags (broadcast)
        out.put(new byte[12]); // ciaddr, yiaddr, siaddr
        out.put(giaddr.getAddress());
        out.put(mac).put(new byte[16 - mac.length]); // chaddr
        out.put(new byte[64 + 128]); // sname, file
        out.put(MAGIC_COOKIE);
        out.put((byte) 53).put((byte) 1).put((byte) 1);
        out.put((byte) 60).put((byte) vendorClass.length).put(vendorClass);
        out.put((byte) 93).put((byte) 2).put((byte) 0).put((byte) 0);
        out.put((byte) 255);
        return out.array();
    }
}
