package io.metalboot.appliance.tftp.server;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests by outcome, bytes served, and the datagrams that were neither a request nor part of a
 * transfer: malformed, stray, from an unknown TID. Each of those is counted once the server has
 * done all it does for it (its answer, if any, is sent), so whoever sees the count move knows
 * nothing more is coming for it. Safe to read from any thread.
 */
public final class TftpCounters {
    private final Map<TftpOutcome, LongAdder> outcomes = new EnumMap<>(TftpOutcome.class);
    private final LongAdder bytesServed = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder stray = new LongAdder();
    private final LongAdder unknownTid = new LongAdder();

    public TftpCounters() {
        for (TftpOutcome outcome : TftpOutcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
    }

    void record(TftpOutcome outcome) {
        outcomes.get(outcome).increment();
    }

    void served(long bytes) {
        bytesServed.add(bytes);
    }

    void malformed() {
        malformed.increment();
    }

    void stray() {
        stray.increment();
    }

    void unknownTid() {
        unknownTid.increment();
    }

    public long count(TftpOutcome outcome) {
        return outcomes.get(outcome).sum();
    }

    public long bytesServed() {
        return bytesServed.sum();
    }

    /** Datagrams that were not TFTP at all. */
    public long malformedCount() {
        return malformed.sum();
    }

    /** TFTP datagrams on the request port that are not a request (ACK, DATA, ERROR, OACK of no transfer): ignored. */
    public long strayCount() {
        return stray.sum();
    }

    /** Datagrams to a transfer's port from anyone but its client (answered with error 5). */
    public long unknownTidCount() {
        return unknownTid.sum();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (TftpOutcome outcome : TftpOutcome.values()) {
            text.append(outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                    .append('=').append(count(outcome)).append(' ');
        }
        return text.append("bytes=").append(bytesServed()).append(" malformed=").append(malformedCount())
                .append(" stray=").append(strayCount()).append(" unknown-tid=").append(unknownTidCount()).toString();
    }
}
