package io.metalboot.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * tcpdump on one interface inside a lab namespace. Packets are decoded from tcpdump's hex dump
 * ({@code -x}) into {@link CapturedPacket}s; the readable {@code -v} text stays in the log file.
 */
final class PacketWatch implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(10);

    private final Journal<CapturedPacket> packets = new Journal<>();
    private final TcpdumpReader reader = new TcpdumpReader(packets::add);
    private final ChildProcess tcpdump;

    private PacketWatch(Namespace namespace, String device, String filter, Path logFile) {
        List<String> argv = namespace.exec(List.of(Tool.TCPDUMP.path(), "-l", "-n", "-v", "-x", "-i", device, filter));
        this.tcpdump = ChildProcess.start("tcpdump-" + device, argv, Path.of(logFile + ".stderr"), logFile, reader);
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

    @Override
    public void close() {
        tcpdump.close();
        reader.flush();
        packets.end();
    }

    @Override
    public String toString() {
        return tcpdump.label();
    }
}
