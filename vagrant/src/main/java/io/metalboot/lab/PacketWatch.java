package io.metalboot.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * tcpdump on one interface inside a lab namespace. Packets are decoded from tcpdump's hex dump
 * ({@code -x}) into {@link CapturedPacket}s; the readable {@code -v} text goes to the log file.
 */
final class PacketWatch implements AutoCloseable {
    private static final Pattern HEX_LINE = Pattern.compile("^\\s+0x[0-9a-f]{4}:\\s+((?:[0-9a-f]{2,4}\\s?)+)\\s*$");
    private static final Duration READY = Duration.ofSeconds(10);

    private final Journal<CapturedPacket> packets = new Journal<>();
    private final StringBuilder summary = new StringBuilder();
    private final StringBuilder hex = new StringBuilder();
    private final ChildProcess tcpdump;

    private PacketWatch(Namespace namespace, String device, String filter, Path logFile) {
        List<String> argv = namespace.exec(List.of(Tool.TCPDUMP.path(), "-l", "-n", "-v", "-x", "-i", device, filter));
        this.tcpdump = ChildProcess.start("tcpdump-" + device, argv, Path.of(logFile + ".stderr"), logFile, this::line);
    }

    /**
     * Starts capturing and returns once tcpdump says it is listening, so that nothing sent after
     * this returns is missed.
     */
    static PacketWatch start(Namespace namespace, String device, String filter, Path logFile) {
        var watch = new PacketWatch(namespace, device, filter, logFile);
        if (watch.tcpdump.lines().await(line -> line.contains("listening on"), READY).isEmpty()) {
            watch.close();
            throw new LabException("tcpdump on " + device + " in " + namespace.name() + " did not start:\n"
                    + watch.tcpdump.lines().tail(10));
        }
        return watch;
    }

    Journal<CapturedPacket> packets() {
        return packets;
    }

    private synchronized void line(String line) {
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

    /** A packet is complete once its IP length is dumped; the next packet may be long in coming. */
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

    private void flush() {
        if (!hex.isEmpty()) {
            byte[] bytes = HexFormat.of().parseHex(hex.length() % 2 == 0 ? hex : hex.substring(0, hex.length() - 1));
            CapturedPacket.decode(summary.toString(), bytes).ifPresent(packets::add);
        }
        hex.setLength(0);
        summary.setLength(0);
    }

    @Override
    public void close() {
        tcpdump.close();
        synchronized (this) {
            flush();
        }
        packets.end();
    }

    @Override
    public String toString() {
        return tcpdump.label();
    }
}
