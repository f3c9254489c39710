package io.metalboot.dhcp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.Octets;
import io.metalboot.dhcp.model.PxeVendorOption;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DhcpMessageDecoderTest {
    /** A minimal DISCOVER: fixed header, cookie, then {@code options} (hex) as given. */
    static byte[] message(String optionsHex) {
        byte[] options = HexFormat.of().parseHex(optionsHex);
        byte[] bytes = new byte[240 + options.length];
        bytes[0] = 1;
        bytes[1] = 1;
        bytes[2] = 6;
        bytes[28] = 0x52;
        bytes[29] = 0x54;
        bytes[236] = 0x63;
        bytes[237] = (byte) 0x82;
        bytes[238] = 0x53;
        bytes[239] = 0x63;
        System.arraycopy(options, 0, bytes, 240, options.length);
        return bytes;
    }

    @Test
    void decodesTypedOptionsAndKeepsUnknownOnesAndPadsInOrder() throws DhcpDecodeException {
        byte[] wire = message("350101" + "00" + "0c03616263" + "5d020007" + "5e03010300" + "61110044332211665588779900aabbccddeeff"
                + "4d0469505845" + "ff" + "0000");
        DhcpMessage message = DhcpMessageDecoder.decode(wire);

        assertEquals(List.of(53, 0, 12, 93, 94, 97, 77), message.options().stream().map(DhcpOption::code).toList());
        assertEquals(new DhcpOption.Unknown(12, Octets.ofLatin1("abc")), message.options().get(2));
        assertEquals(List.of(7), message.option(DhcpOption.ClientArchitectures.class).orElseThrow().types());
        assertEquals("1.3.0", message.option(DhcpOption.ClientNetworkInterface.class).orElseThrow().toString());
        assertEquals("11223344-5566-7788-9900-aabbccddeeff",
                message.option(DhcpOption.ClientMachineId.class).orElseThrow().guid().orElseThrow().toString());
        assertEquals("iPXE", message.option(DhcpOption.UserClass.class).orElseThrow().text());
        assertEquals(Octets.zeros(2), message.trailer());
        assertArrayEquals(wire, DhcpMessageEncoder.encode(message));
    }

    @Test
    void emptyClientMachineIdIsAccepted() throws DhcpDecodeException {
        DhcpMessage message = DhcpMessageDecoder.decode(message("350101" + "6100" + "ff"));
        assertTrue(message.option(DhcpOption.ClientMachineId.class).orElseThrow().guid().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "no END, 350101",
        "option without length byte, 3501010c",
        "option longer than the packet, 3501010c05616263ff",
        "message type of wrong length, 35020101ff",
        "unknown message type, 350163ff",
        "server identifier of 3 bytes, 350101360301020304ff",
        "odd-length option 93, 3501015d0300070aff",
        "empty option 93, 3501015d00ff",
        "option 94 of 2 bytes, 3501015e020103ff",
        "option 97 of 16 bytes, 350101611044332211665588779900aabbccddeeffff",
        "option 97 of type 1, 350101611101332211665588779900aabbccddeeffffff",
    })
    void rejectsMalformedOptionsWithATypedError(String why, String optionsHex) {
        assertThrows(DhcpDecodeException.class, () -> DhcpMessageDecoder.decode(message(optionsHex)), why);
    }

    @Test
    void rejectsShortPacketsBootpWithoutCookieAndBadOp() {
        assertThrows(DhcpDecodeException.class, () -> DhcpMessageDecoder.decode(new byte[239]));
        byte[] noCookie = message("ff");
        noCookie[236] = 0;
        assertThrows(DhcpDecodeException.class, () -> DhcpMessageDecoder.decode(noCookie));
        byte[] badOp = message("350101ff");
        badOp[0] = 3;
        assertThrows(DhcpDecodeException.class, () -> DhcpMessageDecoder.decode(badOp));
        byte[] longHlen = message("350101ff");
        longHlen[2] = 17;
        assertThrows(DhcpDecodeException.class, () -> DhcpMessageDecoder.decode(longHlen));
    }

    @Test
    void fixedFieldsSurviveWithBytesAfterTheirNul() throws DhcpDecodeException {
        byte[] wire = message("350101ff");
        byte[] file = "pxelinux.0\0junk".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(file, 0, wire, 108, file.length);
        DhcpMessage message = DhcpMessageDecoder.decode(wire);
        assertEquals("pxelinux.0", message.file().nulTerminated());
        assertArrayEquals(wire, DhcpMessageEncoder.encode(message));
    }

    /** {@link #message}, with {@code file} and {@code sname} (hex) written from their start. */
    static byte[] message(String optionsHex, String fileHex, String snameHex) {
        byte[] bytes = message(optionsHex);
        byte[] file = HexFormat.of().parseHex(fileHex);
        byte[] sname = HexFormat.of().parseHex(snameHex);
        System.arraycopy(file, 0, bytes, 108, file.length);
        System.arraycopy(sname, 0, bytes, 44, sname.length);
        return bytes;
    }

    @Test
    void overloadedFileThenSnameJoinTheOptionsInRfc2131Order() throws DhcpDecodeException {
        // file: pad, 60 "PXEClient", END, then bytes after END that are not read; sname: 93 = 7 and
        // 12, no END (the field's end ends it), the rest pads.
        byte[] wire = message("350101" + "340103" + "ff",
                "00" + "3c09505845436c69656e74" + "ff" + "3c05",
                "5d020007" + "0c03616263");
        DhcpMessage message = DhcpMessageDecoder.decode(wire);

        assertEquals(List.of(53, 52, 60, 93, 12), message.options().stream().map(DhcpOption::code).toList());
        assertEquals(2, message.optionsFieldCount());
        assertEquals(List.of(53, 52), message.optionsField().stream().map(DhcpOption::code).toList());
        assertEquals("PXEClient", message.option(DhcpOption.VendorClass.class).orElseThrow().value());
        assertEquals(List.of(7), message.option(DhcpOption.ClientArchitectures.class).orElseThrow().types());
        assertArrayEquals(wire, DhcpMessageEncoder.encode(message), "overloaded fields re-encode as they came");
    }

    @ParameterizedTest(name = "option 52 = {0}")
    @CsvSource({"1, 60", "2, 93"})
    void onlyTheFieldsOption52NamesAreRead(int fields, int only) throws DhcpDecodeException {
        byte[] wire = message("350101" + "3401" + "0" + fields + "ff", "3c09505845436c69656e74ff", "5d020007ff");
        DhcpMessage message = DhcpMessageDecoder.decode(wire);
        assertEquals(List.of(53, 52, only), message.options().stream().map(DhcpOption::code).toList());
        assertArrayEquals(wire, DhcpMessageEncoder.encode(message));
    }

    @Test
    void withoutOption52FileAndSnameAreNeverReadAsOptions() throws DhcpDecodeException {
        DhcpMessage message = DhcpMessageDecoder.decode(message("350101ff", "3c09505845436c69656e74ff", "ffff"));
        assertEquals(List.of(53), message.options().stream().map(DhcpOption::code).toList());
        assertTrue(message.option(DhcpOption.VendorClass.class).isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "option 52 = 0, 340100ff, '', ''",
        "option 52 = 4, 340104ff, '', ''",
        "option 52 empty, 3400ff, '', ''",
        "option 52 of 2 bytes, 34020003ff, '', ''",
        "option 52 twice, 340101340102ff, '', ''",
        "option 52 inside the overloaded file, 340103ff, 340101ff, ''",
        "option longer than the overloaded file, 340101ff, 3c7f, ''",
        "option without length byte at the end of sname, 340102ff, '', "
                + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                + "000000000000000000000000000000" + "3c",
        "typed option malformed in sname (odd option 93), 340102ff, '', 5d030007ffff",
    })
    void rejectsBrokenOverloadWithATypedError(String why, String optionsHex, String fileHex, String snameHex) {
        byte[] wire = message("350101" + optionsHex, fileHex, snameHex);
        assertThrows(DhcpDecodeException.class, () -> DhcpMessageDecoder.decode(wire), why);
    }

    @Test
    void pxeVendorOptionsRoundTrip() throws Exception {
        List<PxeVendorOption> options = List.of(
                new PxeVendorOption.DiscoveryControl(7),
                new PxeVendorOption.BootServers(List.of(new PxeVendorOption.BootServer(0x8000,
                        List.of((java.net.Inet4Address) InetAddress.getByName("10.0.0.2"),
                                (java.net.Inet4Address) InetAddress.getByName("10.0.0.3"))))),
                new PxeVendorOption.BootMenu(List.of(new PxeVendorOption.MenuEntry(0x8000, "metalboot"),
                        new PxeVendorOption.MenuEntry(0, "local disk"))),
                new PxeVendorOption.MenuPrompt(5, "Press F8"),
                new PxeVendorOption.BootItem(0x8000, 0),
                new PxeVendorOption.Unknown(1, Octets.ofHex("e0000102")));
        Octets encoded = PxeVendorOptionsCodec.encode(options);
        assertEquals(options, PxeVendorOptionsCodec.decode(encoded));
        assertEquals(0xff, encoded.unsignedByte(encoded.length() - 1), "sub-options end with END");
        assertEquals("060107080b800002", encoded.slice(0, 8).hex(), "discovery control, then 2 servers (11 bytes)");
    }

    @Test
    void truncatedPxeSubOptionsAreTypedErrors() {
        for (String hex : List.of("06", "0605", "0803800002", "47030000", "0902800005", "0a00")) {
            assertThrows(DhcpDecodeException.class, () -> PxeVendorOptionsCodec.decode(Octets.ofHex(hex)), hex);
        }
    }
}
