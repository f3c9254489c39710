package io.metalboot.appliance.tftp.server;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Requests by outcome, bytes served, and stray datagrams. Safe to read from any thread. */
public final class TftpCounters {
    private final Map<TftpOutcome, LongAdder> outcomes = new EnumMap<>(TftpOutcome.class);
    private final LongAdder bytesServed = new LongAdder();
    private final LongAdder malformed = new LongAdder();
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
                .append(" unknown-tid=").append(unknownTidCount()).toString();
    }
}
