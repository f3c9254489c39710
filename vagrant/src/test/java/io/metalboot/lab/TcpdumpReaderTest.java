package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Decoding of real tcpdump output, captured in MenuModeIT: the 4011 ACK and the TFTP RRQ after it. */
class TcpdumpReaderTest {
    private static final String CAPTURE = """
            14:25:14.278853 IP (tos 0x0, ttl 64, id 5534, offset 0, flags [DF], proto UDP (17), length 342)
                10.203.0.3.4011 > 10.203.0.156.4011: UDP, length 314
            \t0x0000:  4500 0156 159e 4000 4011 0dc5 0acb 0003
            \t0x0010:  0acb 009c 0fab 0fab 0142 1788 0201 0600
            \t0x0020:  29bc 54de 0000 0000 0acb 009c 0000 0000
            \t0x0030:  0acb 0003 0000 0000 5254 004d 4203 0000
            \t0x0040:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x0050:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x0060:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x0070:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x0080:  0000 0000 0000 0000 736e 706f 6e6c 792e
            \t0x0090:  6566 6900 0000 0000 0000 0000 0000 0000
            \t0x00a0:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x00b0:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x00c0:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x00d0:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x00e0:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x00f0:  0000 0000 0000 0000 0000 0000 0000 0000
            \t0x0100:  0000 0000 0000 0000 6382 5363 3501 0536
            \t0x0110:  040a cb00 033c 0950 5845 436c 6965 6e74
            \t0x0120:  6111 00d8 05ea 6bbc 8cdf 3092 485b 0603
            \t0x0130:  9dda b842 0a31 302e 3230 332e 302e 3343
            \t0x0140:  0b73 6e70 6f6e 6c79 2e65 6669 2b07 4704
            \t0x0150:  8000 0000 ffff
            14:25:15.262087 IP (tos 0x0, ttl 64, id 22872, offset 0, flags [none], proto UDP (17), length 82)
                10.203.0.156.1032 > 10.203.0.3.69: TFTP, length 54, RRQ "snponly.efi" octet tsize 0 blksize 1468 windowsize 4
            \t0x0000:  4500 0052 5958 0000 4011 0b0f 0acb 009c
            \t0x0010:  0acb 0003 0408 0045 003e 344e 0001 736e
            \t0x0020:  706f 6e6c 792e 6566 6900 6f63 7465 7400
            \t0x0030:  7473 697a 6500 3000 626c 6b73 697a 6500
            \t0x0040:  3134 3638 0077 696e 646f 7773 697a 6500
            \t0x0050:  3400
            """;

    @Test
    void eachPacketIsHandedOnAsSoonAsItsDumpIsComplete() {
        List<CapturedPacket> packets = new ArrayList<>();
        var reader = new TcpdumpReader(packets::add);
        CAPTURE.lines().forEach(reader);

        assertEquals(2, packets.size(), "both packets, without waiting for a third to start");
        CapturedPacket ack = packets.get(0);
        assertEquals("10.203.0.3", ack.source());
        assertEquals(4011, ack.sourcePort());
        assertEquals("10.203.0.156", ack.destination());
        assertEquals(Optional.of(CapturedPacket.DHCPACK), ack.dhcpMessageType());
        assertEquals(Optional.of("52:54:00:4d:42:03"), ack.dhcpClientMac());
        assertEquals(Optional.of("snponly.efi"), ack.dhcpBootFile());
        assertEquals(Optional.of("PXEClient"), ack.dhcpOptionText(60));
        assertEquals(Optional.empty(), ack.tftpReadRequest());

        CapturedPacket rrq = packets.get(1);
        assertEquals(Optional.of("snponly.efi"), rrq.tftpReadRequest());
        assertEquals(69, rrq.destinationPort());
        assertEquals(Optional.empty(), rrq.dhcpMessageType());
    }
}
