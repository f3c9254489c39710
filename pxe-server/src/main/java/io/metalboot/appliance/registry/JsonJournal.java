package io.metalboot.appliance.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

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

    /** Appends one record; it is on disk when this returns. */
    void append(E entry) throws IOException {
        journal.append(JSON.writeValueAsBytes(entry));
    }

    @Override
    public void close() throws IOException {
        journal.close();
    }
}
