package io.metalboot.dhcp.proxy;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Answers sent and datagrams dropped, by reason. Safe to read from any thread. */
public final class ProxyDhcpCounters {
    private final LongAdder answered = new LongAdder();
    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);

    public ProxyDhcpCounters() {
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, new LongAdder());
        }
    }

    void answered() {
        answered.increment();
    }

    void dropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    public long answeredCount() {
        return answered.sum();
    }

    public long droppedCount(DropReason reason) {
        return dropped.get(reason).sum();
    }

    /** The non-zero drop counts. */
    public Map<DropReason, Long> drops() {
        Map<DropReason, Long> snapshot = new EnumMap<>(DropReason.class);
        dropped.forEach((reason, count) -> {
            if (count.sum() > 0) {
                snapshot.put(reason, count.sum());
            }
        });
        return Collections.unmodifiableMap(snapshot);
    }

    @Override
    public String toString() {
        return "answered=" + answeredCount() + " dropped" + drops();
    }
}
