package io.metalboot.agent.ironic.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The DER (X.690) encodings a certificate needs, each returning a complete TLV as a new array.
 * Stateless; which fields a certificate holds is {@link SelfSignedCertificate}'s business.
 */
final class Der {
    static final int BOOLEAN = 0x01;
    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int OID = 0x06;
    static final int UTF8_STRING = 0x0c;
    static final int PRINTABLE_STRING = 0x13;
    static final int UTC_TIME = 0x17;
    static final int GENERALIZED_TIME = 0x18;
    static final int SEQUENCE = 0x30;
    static final int SET = 0x31;

    private static final DateTimeFormatter UTC_TIME_FORMAT = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
    private static final DateTimeFormatter GENERALIZED_TIME_FORMAT = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");

    private Der() {
    }

    /** Tag, definite length (short form below 128, else long form), content. */
    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int octets = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | octets);
            for (int i = octets - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... elements) {
        return tlv(SEQUENCE, concat(elements));
    }

    /** SET OF with its elements sorted, as DER requires (X.690 11.6). */
    static byte[] set(byte[]... elements) {
        byte[][] sorted = elements.clone();
        java.util.Arrays.sort(sorted, java.util.Arrays::compareUnsigned);
        return tlv(SET, concat(sorted));
    }

    /** Two's complement, minimal: BigInteger's own encoding is exactly that. */
    static byte[] integer(BigInteger value) {
        return tlv(INTEGER, value.toByteArray());
    }

    static byte[] integer(long value) {
        return integer(BigInteger.valueOf(value));
    }

    static byte[] bool(boolean value) {
        return tlv(BOOLEAN, new byte[] {value ? (byte) 0xff : 0});
    }

    /** Dotted text, e.g. "2.5.29.17": the first two arcs in one subidentifier, each base 128. */
    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        if (arcs.length < 2) {
            throw new IllegalArgumentException("an OID has at least two arcs: " + dotted);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        base128(out, new BigInteger(arcs[0]).multiply(BigInteger.valueOf(40)).add(new BigInteger(arcs[1])));
        for (int i = 2; i < arcs.length; i++) {
            base128(out, new BigInteger(arcs[i]));
        }
        return tlv(OID, out.toByteArray());
    }

    private static void base128(ByteArrayOutputStream out, BigInteger value) {
        if (value.signum() < 0) {
            throw new IllegalArgumentException("an OID arc is not negative: " + value);
        }
        int groups = Math.max(1, (value.bitLength() + 6) / 7);
        for (int i = groups - 1; i >= 0; i--) {
            int group = value.shiftRight(7 * i).intValue() & 0x7f;
            out.write(i > 0 ? group | 0x80 : group);
        }
    }

    /** A BIT STRING whose last {@code unusedBits} bits (0..7) are padding. */
    static byte[] bitString(byte[] bits, int unusedBits) {
        if (unusedBits < 0 || unusedBits > 7 || (bits.length == 0 && unusedBits != 0)) {
            throw new IllegalArgumentException("unused bits: " + unusedBits);
        }
        byte[] content = new byte[bits.length + 1];
        content[0] = (byte) unusedBits;
        System.arraycopy(bits, 0, content, 1, bits.length);
        return tlv(BIT_STRING, content);
    }

    /** A named-bit BIT STRING (X.690 11.2.2: trailing zero bits dropped), bit 0 the most significant. */
    static byte[] namedBits(int... bits) {
        int highest = -1;
        for (int bit : bits) {
            highest = Math.max(highest, bit);
        }
        byte[] content = new byte[highest / 8 + 1];
        for (int bit : bits) {
            content[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        return highest < 0 ? bitString(new byte[0], 0) : bitString(content, 7 - highest % 8);
    }

    static byte[] octetString(byte[] value) {
        return tlv(OCTET_STRING, value);
    }

    static byte[] utf8String(String value) {
        return tlv(UTF8_STRING, value.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] printableString(String value) {
        if (!value.matches("[A-Za-z0-9 '()+,\\-./:=?]*")) {
            throw new IllegalArgumentException("not a PrintableString: " + value);
        }
        return tlv(PRINTABLE_STRING, value.getBytes(StandardCharsets.US_ASCII));
    }

    /** RFC 5280 4.1.2.5: UTCTime for 1950..2049, GeneralizedTime otherwise; whole seconds, Z. */
    static byte[] time(Instant instant) {
        ZonedDateTime utc = instant.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC);
        boolean utcTime = utc.getYear() >= 1950 && utc.getYear() <= 2049;
        String text = (utcTime ? UTC_TIME_FORMAT : GENERALIZED_TIME_FORMAT).format(utc);
        return tlv(utcTime ? UTC_TIME : GENERALIZED_TIME, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** [n] EXPLICIT: a constructed context tag around a whole encoding. */
    static byte[] explicit(int tagNumber, byte[] encoding) {
        return tlv(0xa0 | checkedTagNumber(tagNumber), encoding);
    }

    /** [n] IMPLICIT on a primitive type: the content under a context tag instead of its own. */
    static byte[] implicitPrimitive(int tagNumber, byte[] content) {
        return tlv(0x80 | checkedTagNumber(tagNumber), content);
    }

    private static int checkedTagNumber(int tagNumber) {
        if (tagNumber < 0 || tagNumber > 30) {
            throw new IllegalArgumentException("a low tag number (0..30): " + tagNumber);
        }
        return tagNumber;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
