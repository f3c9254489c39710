package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit, proven by the order of events rather than by timing: the force step holds the
 * first batch's fsync until every other append is queued, so they all land in a second batch.
 */
class RecordJournalGroupCommitTest {
    private static final int CALLERS = 16;

    /**
     * A force step that counts, blocks its first call until all {@link #CALLERS} records are
     * queued, fails the calls the test says to, and remembers how many bytes a finished fsync covered.
     */
    private static final class ScriptedForce implements GroupCommitWriter.ForceStep {
        final CountDownLatch firstForceEntered = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        /** File bytes covered by the last fsync that succeeded. */
        final AtomicLong durableUpTo = new AtomicLong();
        final int failingCall;
        volatile RecordJournal journal;

        ScriptedForce(int failingCall) {
            this.failingCall = failingCall;
        }

        @Override
        public void force(FileChannel channel) throws IOException {
            int call = calls.incrementAndGet();
            if (call == 1) {
                firstForceEntered.countDown();
                while (journal.enqueued() < CALLERS) {
                    Thread.onSpinWait(); // the others queue up behind this fsync
                    Thread.yield();
                }
            }
            if (call == failingCall) {
                throw new IOException("injected fdatasync failure");
            }
            channel.force(false);
            durableUpTo.set(channel.size());
        }
    }

    private static byte[] payload(int caller) {
        return ("record of caller " + caller).getBytes(StandardCharsets.UTF_8);
    }

    /** Each caller appends its record; what each saw durable when acked, or its failure. */
    private record Outcome(long durableWhenAcked, Throwable failure) {
    }

    private static List<Outcome> appendConcurrently(RecordJournal journal, ScriptedForce force) throws Exception {
        List<Future<Outcome>> futures = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CALLERS; i++) {
                int caller = i;
                futures.add(callers.submit(() -> {
                    try {
                        journal.append(payload(caller));
                        return new Outcome(force.durableUpTo.get(), null);
                    } catch (IOException e) {
                        return new Outcome(-1, e);
                    }
                }));
                if (i == 0) {
                    force.firstForceEntered.await(); // caller 0 alone in the first batch
                }
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> f : futures) {
            outcomes.add(f.get());
        }
        return outcomes;
    }

    /** Where each intact record ends in the file, by its text. */
    private static Map<String, Long> recordEnds(Path file) throws IOException {
        Map<String, Long> ends = new HashMap<>();
        long[] at = {0};
        RecordJournal.open(file, record -> {
            at[0] += 8 + record.length;
            ends.put(new String(record, StandardCharsets.UTF_8), at[0]);
        }).close();
        return ends;
    }

    @Test
    void concurrentAppendsShareAnFsyncAndNoneIsAckedBeforeTheFsyncThatCoversIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("group.journal");
        ScriptedForce force = new ScriptedForce(0);
        List<Outcome> outcomes;
        try (RecordJournal journal = RecordJournal.open(file, record -> { }, force)) {
            force.journal = journal;
            outcomes = appendConcurrently(journal, force);
        }

        assertEquals(2, force.calls.get(), "caller 0's batch, then one batch of the other " + (CALLERS - 1));
        Map<String, Long> ends = recordEnds(file);
        assertEquals(CALLERS, ends.size(), "every acknowledged record is in the journal");
        for (int i = 0; i < CALLERS; i++) {
            Outcome outcome = outcomes.get(i);
            assertNull(outcome.failure(), "caller " + i);
            long end = ends.get(new String(payload(i), StandardCharsets.UTF_8));
            assertTrue(outcome.durableWhenAcked() >= end, "caller " + i + " acked when " + outcome.durableWhenAcked()
                    + " bytes were durable, before its record (ending at " + end + ") was");
        }
    }

    @Test
    void aFailedFsyncFailsEveryWaiterOfItsBatchAndTheJournalGoesOn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("group.journal");
        ScriptedForce force = new ScriptedForce(2);
        List<Outcome> outcomes;
        try (RecordJournal journal = RecordJournal.open(file, record -> { }, force)) {
            force.journal = journal;
            outcomes = appendConcurrently(journal, force);
            journal.append("after the failure".getBytes(StandardCharsets.UTF_8));
        }

        assertEquals(3, force.calls.get());
        assertNull(outcomes.getFirst().failure(), "caller 0's batch was durable");
        for (int i = 1; i < CALLERS; i++) {
            IOException failure = assertInstanceOf(IOException.class, outcomes.get(i).failure(),
                    "caller " + i + " shared the failed fsync: it must not report success");
            assertTrue(failure.getMessage().contains("injected fdatasync failure"), failure.getMessage());
        }
        assertEquals(Map.of("record of caller 0", 8L + payload(0).length,
                        "after the failure", 16L + payload(0).length + "after the failure".length()),
                recordEnds(file), "the failed batch was cut off; the journal went on after it");
    }

    @Test
    void recordsBecomeVisibleOnlyAfterTheirFsyncInFileOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("group.journal");
        ScriptedForce force = new ScriptedForce(0);
        List<Long> appliedWhenDurable = new ArrayList<>();
        try (RecordJournal journal = RecordJournal.open(file, record -> { }, force)) {
            force.journal = journal;
            List<Future<String>> applied = new ArrayList<>();
            try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CALLERS; i++) {
                    int caller = i;
                    applied.add(callers.submit(() -> journal.append(payload(caller), () -> {
                        synchronized (appliedWhenDurable) {
                            appliedWhenDurable.add(force.durableUpTo.get());
                        }
                        return "applied " + caller;
                    })));
                    if (i == 0) {
                        force.firstForceEntered.await();
                    }
                }
            }
            for (int i = 0; i < CALLERS; i++) {
                assertEquals("applied " + i, applied.get(i).get(), "the caller gets what its onDurable made");
            }
        }
        Map<String, Long> ends = recordEnds(file);
        List<Long> inFileOrder = ends.values().stream().sorted().toList();
        assertEquals(CALLERS, appliedWhenDurable.size());
        for (int k = 0; k < CALLERS; k++) {
            assertTrue(appliedWhenDurable.get(k) >= inFileOrder.get(k), "the record applied " + k + "th was not yet durable");
        }
    }
}
