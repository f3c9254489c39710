package io.metalboot.appliance.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link RecordJournal} whose records are JSON, one type hierarchy per journal: what the journal
 * stores share, so each store says only what its records are and how it applies them.
 */
final class JsonJournal<E> implements AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    private final RecordJournal journal;

    private JsonJournal(RecordJournal journal) {
        this.journal = journal;
    }

    /** Opens (creating) {@code file} and hands every intact record to {@code replay}, in order. */
    static <E> JsonJournal<E> open(Path file, Class<E> type, Consumer<E> replay) throws IOException {
        return new JsonJournal<>(RecordJournal.open(file, payload -> {
            try {
                replay.accept(JSON.readValue(payload, type));
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": a record does not parse though its checksum holds", e);
            }
        }));
    }

    /**
     * Appends one record and returns what {@code onDurable} made of it: that step runs once the
     * record is on disk (with whatever concurrent appends shared its fdatasync), in journal order.
     */
    <T> T append(E entry, Supplier<T> onDurable) throws IOException {
        return journal.append(JSON.writeValueAsBytes(entry), onDurable);
    }

    /** As {@link #append}, returning once the record is queued: its {@link RecordJournal.Pending#await} waits. */
    <T> RecordJournal.Pending<T> enqueue(E entry, Supplier<T> onDurable) throws IOException {
        return journal.enqueue(JSON.writeValueAsBytes(entry), onDurable);
    }

    @Override
    public void close() throws IOException {
        journal.close();
    }
}
