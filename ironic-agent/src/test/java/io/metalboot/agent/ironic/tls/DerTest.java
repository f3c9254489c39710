package io.metalboot.agent.ironic.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The encodings against X.690's and RFC 5280's examples and rules, byte for byte. */
class DerTest {
    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void lengthsShortAndLong() {
        assertEquals("047f", hex(Der.octetString(new byte[0x7f])).substring(0, 4));
        assertEquals("048180", hex(Der.octetString(new byte[0x80])).substring(0, 6));
        assertEquals("0482012c", hex(Der.octetString(new byte[300])).substring(0, 8));
        assertEquals("0483010000", hex(Der.octetString(new byte[0x10000])).substring(0, 10));
    }

    @Test
    void integersAreMinimalTwosComplement() {
        assertEquals("020100", hex(Der.integer(0)));
        assertEquals("02017f", hex(Der.integer(127)));
        assertEquals("02020080", hex(Der.integer(128)));
        assertEquals("0201ff", hex(Der.integer(-1)));
        assertEquals("020900ffffffffffffffff", hex(Der.integer(new BigInteger("ffffffffffffffff", 16))));
    }

    @Test
    void objectIdentifiers() {
        assertEquals("06082a8648ce3d040302", hex(Der.oid("1.2.840.10045.4.3.2"))); // ecdsa-with-SHA256
        assertEquals("0603551d11", hex(Der.oid("2.5.29.17")));
        assertEquals("06082b06010505070301", hex(Der.oid("1.3.6.1.5.5.7.3.1")));
        assertEquals("0603883703", hex(Der.oid("2.999.3"))); // X.690 8.19.5's example
    }

    @Test
    void namedBitsDropTrailingZeros() {
        assertEquals("03020780", hex(Der.namedBits(0))); // keyUsage digitalSignature
        assertEquals("03020284", hex(Der.namedBits(0, 5))); // digitalSignature, keyCertSign
        assertEquals("0303070080", hex(Der.namedBits(8))); // decipherOnly
        assertEquals("030100", hex(Der.namedBits()));
    }

    @Test
    void timesSwitchToGeneralizedIn2050() {
        assertEquals("170d3439313233313233353935395a", hex(Der.time(Instant.parse("2049-12-31T23:59:59.900Z"))));
        assertEquals("180f32303530303130313030303030305a", hex(Der.time(Instant.parse("2050-01-01T00:00:00Z"))));
        assertEquals("180f31393439313233313030303030305a", hex(Der.time(Instant.parse("1949-12-31T00:00:00Z"))));
    }

    @Test
    void setsAreSortedAndBooleansAreFf() {
        assertEquals("3106020101020102", hex(Der.set(Der.integer(2), Der.integer(1))));
        assertEquals("0101ff", hex(Der.bool(true)));
        assertEquals("a003020102", hex(Der.explicit(0, Der.integer(2))));
        assertEquals("87047f000001", hex(Der.implicitPrimitive(7, new byte[] {127, 0, 0, 1})));
        assertEquals("130361203f", hex(Der.printableString("a ?")));
    }
}
