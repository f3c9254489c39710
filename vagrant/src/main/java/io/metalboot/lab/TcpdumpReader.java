package io.metalboot.lab;

import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Turns the lines of {@code tcpdump -l -n -v -x} into {@link CapturedPacket}s: a packet starts at
 * an unindented line, its address line follows, its hex dump ends it.
 */
final class TcpdumpReader implements Consumer<String> {
    private static final Pattern HEX_LINE = Pattern.compile("^\\s+0x[0-9a-f]{4}:\\s+((?:[0-9a-f]{2,4}\\s?)+)\\s*$");

    private final Consumer<CapturedPacket> packets;
    private final StringBuilder summary = new StringBuilder();
    private final StringBuilder hex = new StringBuilder();

    TcpdumpReader(Consumer<CapturedPacket> packets) {
        this.packets = packets;
    }

    @Override
    public synchronized void accept(String line) {
        var hexLine = HEX_LINE.matcher(line);
        if (hexLine.matches()) {
            hex.append(hexLine.group(1).replaceAll("\\s", ""));
            flushIfComplete();
        } else if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
            flush();
            summary.append(line);
        } else if (hex.isEmpty() && summary.indexOf("\n") < 0) {
            // The address line under -v: "    10.203.0.147.68 > 255.255.255.255.67: ..."
            summary.append('\n').append(line.strip());
        }
    }

    /** A packet is complete once its IP length is dumped: the next packet may be long in coming. */
    private void flushIfComplete() {
        if (hex.length() >= 8) {
            int version = Character.digit(hex.charAt(0), 16);
            int total = version == 4 ? Integer.parseInt(hex.substring(4, 8), 16)
                    : hex.length() >= 16 ? 40 + Integer.parseInt(hex.substring(8, 12), 16) : Integer.MAX_VALUE;
            if (hex.length() / 2 >= total) {
                flush();
            }
        }
    }

    /** Hands on a packet whose dump was cut short (tcpdump stopped mid-packet). */
    synchronized void flush() {
        if (!hex.isEmpty()) {
            byte[] bytes = HexFormat.of().parseHex(hex.length() % 2 == 0 ? hex : hex.substring(0, hex.length() - 1));
            CapturedPacket.decode(summary.toString(), bytes).ifPresent(packets);
        }
        hex.setLength(0);
        summary.setLength(0);
    }
}
