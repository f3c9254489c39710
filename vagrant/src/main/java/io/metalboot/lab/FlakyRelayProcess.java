package io.metalboot.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@link FlakyHttpRelay} running as a child process inside a lab namespace, in front of the
 * appliance's HTTP port. Its log has one line per request: what it refused and what it forwarded.
 */
final class FlakyRelayProcess implements AutoCloseable {
    /** Where the relay listens, next to the appliance's own HTTP port in its namespace. */
    static final int PORT = 8081;
    private static final Duration READY = Duration.ofSeconds(30);

    private final ChildProcess process;
    private final String url;

    private FlakyRelayProcess(ChildProcess process, String url) {
        this.process = process;
        this.url = url;
    }

    /**
     * Starts the relay on {@code address:8081} in the appliance's namespace, forwarding to
     * {@code address:upstreamPort}, and returns once it listens.
     *
     * @param failedPath the path whose first request per machine ({@code mac=}) gets a 503
     */
    static FlakyRelayProcess start(LabNetwork network, String address, int upstreamPort, String failedPath) {
        String classpath = Path.of(FlakyHttpRelay.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<String> argv = network.appliance().exec(List.of(ApplianceProcess.javaBinary(), "-cp", classpath,
                FlakyHttpRelay.class.getName(), address, Integer.toString(PORT), address, Integer.toString(upstreamPort),
                failedPath));
        var relay = network.adopt(new FlakyRelayProcess(
                ChildProcess.start("relay", argv, network.workDir().resolve("relay.log")), "http://" + address + ":" + PORT));
        if (relay.process.lines().await(line -> line.startsWith(FlakyHttpRelay.READY_LINE), READY).isEmpty()) {
            throw new LabException("the HTTP relay did not start:\n" + relay.log().tail(10));
        }
        return relay;
    }

    /** {@code http://ADDRESS:8081}: what machines are pointed at instead of the appliance. */
    String url() {
        return url;
    }

    Journal<String> log() {
        return process.lines();
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "relay " + url;
    }
}
