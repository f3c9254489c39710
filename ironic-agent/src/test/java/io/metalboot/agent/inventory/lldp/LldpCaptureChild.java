package io.metalboot.agent.inventory.lldp;

import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The agent's capture in a JVM of its own, for {@link LldpPeerTest}: a JVM cannot enter another
 * network namespace, a process started with {@code ip netns exec} is in it from the start.
 * Arguments: seconds to listen, then interface names. Prints {@code elapsed-ms N}, then
 * {@code tlv INTERFACE TYPE HEX} per TLV received.
 */
public final class LldpCaptureChild {
    private LldpCaptureChild() {
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        List<String> names = Arrays.asList(args).subList(1, args.length);
        Map<String, List<LldpTlv>> frames = new PacketSocketListener(Duration.ofSeconds(Long.parseLong(args[0])))
                .listen(names);
        System.out.println("elapsed-ms " + (System.nanoTime() - start) / 1_000_000);
        frames.forEach((name, tlvs) -> tlvs.forEach(tlv -> System.out.println(
                "tlv " + name + " " + tlv.type() + " " + HexFormat.of().formatHex(tlv.value()))));
    }
}
