package io.metalboot.dhcp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.proxy.BootFilePolicy;
import io.metalboot.dhcp.proxy.NetbootGate;
import io.metalboot.dhcp.proxy.ProxyDhcpResponder;
import io.metalboot.dhcp.proxy.ProxyDhcpSettings;
import io.metalboot.dhcp.proxy.ProxyMode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Mutation fuzzing of the decoder from the captured packets. For any input, the decoder either
 * returns a message or throws {@link DhcpDecodeException}; an accepted message re-encodes to the
 * very same bytes; and the responder answers (with a reply that decodes) or drops it, never throws.
 * An accepted message whose options continue in sname/file (option 52) gets the same response as
 * the same options all in the options field.
 */
class DecoderFuzzTest {
    /** The vectors, and the malformed overloads too: a mutation of a refused packet may decode. */
    private static final List<byte[]> SEEDS = Stream.concat(Vectors.allBytes().stream(),
            Vectors.malformed().values().stream()).toList();
    private static final ProxyDhcpResponder OFFER = responder(ProxyMode.OFFER);
    private static final ProxyDhcpResponder MENU = responder(ProxyMode.MENU);
    private static final InetSocketAddress SENDER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 68);

    /** One edit of a packet. */
    sealed interface Mutation {
        byte[] apply(byte[] in);
    }

    record FlipBit(int position, int bit) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            if (out.length > 0) {
                out[position % out.length] ^= (byte) (1 << bit);
            }
            return out;
        }
    }

    record SetByte(int position, byte value) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            if (out.length > 0) {
                out[position % out.length] = value;
            }
            return out;
        }
    }

    record Truncate(int length) implements Mutation {
        public byte[] apply(byte[] in) {
            return Arrays.copyOf(in, in.length == 0 ? 0 : length % (in.length + 1));
        }
    }

    record Insert(int position, byte[] bytes) implements Mutation {
        public byte[] apply(byte[] in) {
            int at = in.length == 0 ? 0 : position % (in.length + 1);
            byte[] out = new byte[in.length + bytes.length];
            System.arraycopy(in, 0, out, 0, at);
            System.arraycopy(bytes, 0, out, at, bytes.length);
            System.arraycopy(in, at, out, at + bytes.length, in.length - at);
            return out;
        }
    }

    /** Aimed at the option area, where lengths and codes live (offset 240 onwards). */
    record SetOptionByte(int offset, byte value) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            if (out.length > 240) {
                out[240 + offset % (out.length - 240)] = value;
            }
            return out;
        }
    }

    /** Aimed at sname and file (offsets 44 to 235), which option 52 turns into option areas. */
    record SetFixedFieldByte(int offset, byte value) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            if (out.length >= 236) {
                out[44 + offset % 192] = value;
            }
            return out;
        }
    }

    /** Option 52 (0 and 4 are invalid) put first in the options area: sname/file become options. */
    record Overload(byte fields) implements Mutation {
        public byte[] apply(byte[] in) {
            return in.length < 240 ? in : new Insert(240, new byte[] {52, 1, fields}).apply(in);
        }
    }

    @Provide
    Arbitrary<byte[]> mutatedPackets() {
        Arbitrary<Mutation> mutation = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers().between(0, 1499), Arbitraries.integers().between(0, 7))
                        .as(FlipBit::new),
                Combinators.combine(Arbitraries.integers().between(0, 1499), Arbitraries.bytes()).as(SetByte::new),
                Arbitraries.integers().between(0, 1500).map(Truncate::new),
                Combinators.combine(Arbitraries.integers().between(0, 1499),
                        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8)).as(Insert::new),
                Combinators.combine(Arbitraries.integers().between(0, 1499),
                        optionBytes()).as(SetOptionByte::new),
                Combinators.combine(Arbitraries.integers().between(0, 191), optionBytes()).as(SetFixedFieldByte::new),
                Arbitraries.bytes().between((byte) 0, (byte) 4).map(Overload::new));
        return Combinators.combine(Arbitraries.of(SEEDS), mutation.list().ofMinSize(1).ofMaxSize(6))
                .as((seed, edits) -> {
                    byte[] packet = seed;
                    for (Mutation edit : edits) {
                        packet = edit.apply(packet);
                    }
                    return packet;
                });
    }

    /** Codes and lengths where they matter: small lengths, option codes read by the decoder, END. */
    private static Arbitrary<Byte> optionBytes() {
        return Arbitraries.of((byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 16, (byte) 17,
                (byte) 52, (byte) 53, (byte) 60, (byte) 93, (byte) 97, (byte) 0x7f, (byte) 0xfe, (byte) 0xff);
    }

    @Property(tries = 100_000, shrinking = net.jqwik.api.ShrinkingMode.BOUNDED)
    void onlyTypedErrorsEscapeAndAcceptedPacketsRoundTrip(@ForAll("mutatedPackets") byte[] packet) {
        DhcpMessage message;
        try {
            message = DhcpMessageDecoder.decode(packet);
        } catch (DhcpDecodeException expected) {
            Statistics.collect("rejected");
            return;
        }
        Statistics.collect("decoded");
        boolean overloaded = message.option(DhcpOption.OptionOverload.class).isPresent();
        Statistics.label("option 52 in decoded packets").collect(overloaded ? "present" : "absent");
        Statistics.label("option 52 in decoded packets")
                .coverage(coverage -> coverage.check("present").percentage(p -> p >= 1.0));
        assertArrayEquals(packet, DhcpMessageEncoder.encode(message));
        boolean answered = false;
        for (ProxyDhcpResponder.Listener listener : ProxyDhcpResponder.Listener.values()) {
            for (ProxyDhcpResponder responder : List.of(OFFER, MENU)) {
                ProxyDhcpResponder.Response response = responder.respond(message, SENDER, listener);
                if (response instanceof ProxyDhcpResponder.Answer answer) {
                    answered = true;
                    byte[] reply = DhcpMessageEncoder.encode(answer.reply());
                    assertEquals(answer.reply(), assertDoesNotThrow(() -> DhcpMessageDecoder.decode(reply)));
                }
                if (overloaded) {
                    assertEquals(responder.respond(Vectors.withoutOverload(message), SENDER, listener), response);
                }
            }
        }
        if (overloaded) {
            Statistics.label("decoded packets with option 52").collect(answered ? "answered" : "dropped");
        }
    }

    private static ProxyDhcpResponder responder(ProxyMode mode) {
        try {
            return new ProxyDhcpResponder(new ProxyDhcpSettings((Inet4Address) InetAddress.getByName("10.0.0.2"),
                    null, 67, 4011, mode, BootFilePolicy.defaults(), "http://{server}/boot.ipxe?mac={mac}", 8080),
                    NetbootGate.OPEN);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
