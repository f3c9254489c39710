package io.metalboot.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What one source (a log, a serial console, a packet capture) produced so far, in order, for
 * observers that wait for a particular entry with a deadline.
 */
final class Journal<T> {
    private final List<T> entries = new ArrayList<>();
    private boolean ended;

    synchronized void add(T entry) {
        entries.add(entry);
        notifyAll();
    }

    /** The source is gone (process exited): waiting longer cannot help. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    synchronized List<T> entries() {
        return List.copyOf(entries);
    }

    synchronized boolean ended() {
        return ended;
    }

    /** The first entry, old or new, that passes the test; empty when the deadline or the end comes first. */
    synchronized Optional<T> await(Predicate<? super T> test, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        while (true) {
            for (; checked < entries.size(); checked++) {
                if (test.test(entries.get(checked))) {
                    return Optional.of(entries.get(checked));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || ended) {
                return Optional.empty();
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting", e);
            }
        }
    }

    synchronized String tail(int count) {
        var last = entries.subList(Math.max(0, entries.size() - count), entries.size());
        var text = new StringBuilder();
        for (T entry : last) {
            text.append("  | ").append(entry).append('\n');
        }
        return text.toString();
    }
}
