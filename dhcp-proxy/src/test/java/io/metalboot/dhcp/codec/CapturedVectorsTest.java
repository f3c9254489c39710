package io.metalboot.dhcp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.Octets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every committed vector, decoded by our codec, against what tshark (an independent decoder)
 * read from the same bytes; then re-encoded byte for byte. See vectors/README.md for the origin
 * of each vector: real captures from OVMF, QEMU's iPXE ROMs and OVMF HTTP boot, plus spec-built.
 */
class CapturedVectorsTest {
    private static final Map<String, byte[]> VECTORS = Vectors.all();
    private static final Properties EXPECTED = Vectors.expected();

    @Test
    void everyVectorHasTsharksReadingAndTheKeyPxeOptions() {
        assertTrue(VECTORS.size() >= 20, "vectors: " + VECTORS.keySet());
        for (String name : VECTORS.keySet()) {
            for (String key : List.of("opt53", "opt60", "opt93", "opt94", "opt97", "options", "length")) {
                assertTrue(EXPECTED.containsKey(name + "." + key), name + " has no expected " + key);
            }
        }
        long ipxe = VECTORS.keySet().stream().filter(name -> name.startsWith("ipxe-")).count();
        assertTrue(ipxe >= 6);
        for (String name : VECTORS.keySet().stream().filter(n -> n.startsWith("ipxe-")).toList()) {
            assertEquals("iPXE", EXPECTED.getProperty(name + ".opt77"), name);
            assertTrue(EXPECTED.containsKey(name + ".opt175"), name);
        }
    }

    @TestFactory
    Stream<DynamicTest> decodesAsTsharkDoesAndReencodesByteIdentical() {
        return VECTORS.entrySet().stream().map(vector -> DynamicTest.dynamicTest(vector.getKey(), () -> {
            DhcpMessage message = DhcpMessageDecoder.decode(vector.getValue());
            String prefix = vector.getKey() + ".";
            List<String> keys = EXPECTED.stringPropertyNames().stream().filter(k -> k.startsWith(prefix)).sorted()
                    .toList();
            assertFalse(keys.isEmpty());
            for (String key : keys) {
                String field = key.substring(prefix.length());
                assertEquals(EXPECTED.getProperty(key), ours(message, field, vector.getValue().length),
                        vector.getKey() + " " + field);
            }
            assertArrayEquals(vector.getValue(), DhcpMessageEncoder.encode(message), "re-encoding");
        }));
    }

    /** Our decoder's view of one field, rendered the way extract_expected.sh renders tshark's. */
    private static String ours(DhcpMessage m, String field, int length) {
        return switch (field) {
            case "op" -> Integer.toString(m.op());
            case "htype" -> Integer.toString(m.htype());
            case "hlen" -> Integer.toString(m.hlen());
            case "hops" -> Integer.toString(m.hops());
            case "xid" -> String.format("0x%08x", m.xid());
            case "secs" -> Integer.toString(m.secs());
            case "flags" -> String.format("0x%04x", m.flags());
            case "ciaddr" -> m.ciaddr().getHostAddress();
            case "yiaddr" -> m.yiaddr().getHostAddress();
            case "siaddr" -> m.siaddr().getHostAddress();
            case "giaddr" -> m.giaddr().getHostAddress();
            case "chaddr" -> m.clientMac().orElseThrow().toString();
            case "length" -> Integer.toString(length);
            case "options" -> m.options().stream().filter(o -> !(o instanceof DhcpOption.Pad))
                    .map(o -> Integer.toString(o.code())).collect(Collectors.joining(","));
            case "opt52" -> String.format("%02x", m.option(DhcpOption.OptionOverload.class).orElseThrow().fields());
            case "opt53" -> Integer.toString(m.messageType().orElseThrow().code());
            case "opt54" -> m.option(DhcpOption.ServerIdentifier.class).orElseThrow().address().getHostAddress();
            case "opt55" -> m.option(DhcpOption.ParameterRequestList.class).orElseThrow().codes().stream()
                    .map(String::valueOf).collect(Collectors.joining(","));
            case "opt60" -> m.option(DhcpOption.VendorClass.class).orElseThrow().value();
            case "opt61" -> m.option(DhcpOption.ClientIdentifier.class).orElseThrow().value().hex();
            case "opt43" -> m.option(DhcpOption.VendorSpecific.class).orElseThrow().value().hex();
            case "opt77" -> m.option(DhcpOption.UserClass.class).orElseThrow().text();
            case "opt93" -> m.option(DhcpOption.ClientArchitectures.class).orElseThrow().types().stream()
                    .map(String::valueOf).collect(Collectors.joining(","));
            case "opt94" -> m.option(DhcpOption.ClientNetworkInterface.class).orElseThrow().toString();
            case "opt97" -> m.option(DhcpOption.ClientMachineId.class).orElseThrow().guid()
                    .map(guid -> "00:" + guid.wire().hex()).orElse("empty");
            case "opt175" -> m.option(DhcpOption.IpxeEncapsulated.class).orElseThrow().value().hex();
            case "opt50" -> ipv4(unknown(m, 50));
            case "opt57" -> Integer.toString(unknown(m, 57).unsignedByte(0) << 8 | unknown(m, 57).unsignedByte(1));
            default -> unknown(m, Integer.parseInt(field.substring(3))).hex();
        };
    }

    private static Octets unknown(DhcpMessage m, int code) {
        List<Octets> values = new ArrayList<>();
        m.options().forEach(o -> {
            if (o instanceof DhcpOption.Unknown u && u.code() == code) {
                values.add(u.value());
            }
        });
        return values.getFirst();
    }

    private static String ipv4(Octets value) {
        return DhcpMessageDecoder.address(value.toByteArray()).getHostAddress();
    }

    @Test
    void qemuUuidComesOutInTheOrderDmidecodeAndIpxePrintIt() throws Exception {
        // The captures ran QEMU with -uuid 11223344-5566-7788-99aa-bbccddeeff0N (N: 1 BIOS, 2 OVMF).
        DhcpMessage bios = DhcpMessageDecoder.decode(VECTORS.get("ipxe-bios-discover"));
        assertEquals("11223344-5566-7788-99aa-bbccddeeff01",
                bios.option(DhcpOption.ClientMachineId.class).orElseThrow().guid().orElseThrow().toString());
        DhcpMessage ovmf = DhcpMessageDecoder.decode(VECTORS.get("ovmf-pxe-discover"));
        assertEquals("11223344-5566-7788-99aa-bbccddeeff02",
                ovmf.option(DhcpOption.ClientMachineId.class).orElseThrow().guid().orElseThrow().toString());
        assertEquals("443322116655887799aabbccddeeff02", HexFormat.of().formatHex(
                ovmf.option(DhcpOption.ClientMachineId.class).orElseThrow().guid().orElseThrow().wire()
                        .toByteArray()));
    }
}
