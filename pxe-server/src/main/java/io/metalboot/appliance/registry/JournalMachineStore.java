package io.metalboot.appliance.registry;

import io.metalboot.machine.MachineState;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The embedded store: an append-only journal of checksummed JSON records under the state
 * directory, replayed into memory at start.
 *
 * <p>Why a journal and not an embedded database: the state is small (hundreds of machines), the
 * journal is the state history the REST API shows anyway, every transition must be durable before
 * it is acknowledged (one fdatasync per record, nothing else), and it needs no native library or
 * schema migration on an appliance that must start unattended.
 */
public final class JournalMachineStore implements MachineStore {
    static final String FILE_NAME = "machines.journal";

    private final ObjectMapper json = JsonMapper.builder().addModule(new JavaTimeModule()).build();
    private final Map<MacAddress, Machine> machines = new LinkedHashMap<>();
    private final Map<MacAddress, List<Transition>> histories = new HashMap<>();
    private final Map<String, TokenState> tokens = new HashMap<>();
    private final RecordJournal journal;

    private record TokenState(MacAddress mac, Instant expires, boolean used) {
    }

    private JournalMachineStore(Path stateDir) throws IOException {
        this.journal = RecordJournal.open(stateDir.resolve(FILE_NAME), this::replay);
    }

    public static JournalMachineStore open(Path stateDir) throws IOException {
        return new JournalMachineStore(stateDir);
    }

    private void replay(byte[] payload) {
        try {
            apply(json.readValue(payload, JournalEntry.class));
        } catch (IOException e) {
            throw new UncheckedIOException("journal record does not parse though its checksum holds", e);
        }
    }

    private void apply(JournalEntry entry) {
        MacAddress mac = MacAddress.parse(entry.mac());
        switch (entry) {
            case JournalEntry.StateChanged change -> {
                MachineState to = MachineState.ofWireName(change.to());
                Optional<String> reason = Optional.ofNullable(change.reason());
                Machine current = machines.get(mac);
                machines.put(mac, current == null
                        ? new Machine(mac, Optional.empty(), Optional.empty(), to, reason, Map.of(), change.at())
                        : current.withState(to, to == MachineState.FAILED ? reason : Optional.empty(), change.at()));
                histories.computeIfAbsent(mac, m -> new ArrayList<>()).add(new Transition(mac,
                        Optional.ofNullable(change.from()).map(MachineState::ofWireName), to, change.at(),
                        change.cause(), reason));
            }
            case JournalEntry.IdentitySeen seen -> machines.computeIfPresent(mac, (m, machine) -> machine.withIdentity(
                    Optional.ofNullable(seen.uuid()).map(UUID::fromString), Optional.ofNullable(seen.serial())));
            case JournalEntry.BootTokenIssued issued ->
                    tokens.put(issued.sha256(), new TokenState(mac, issued.expires(), false));
            case JournalEntry.BootTokenRedeemed redeemed ->
                    tokens.computeIfPresent(redeemed.sha256(), (h, t) -> new TokenState(t.mac(), t.expires(), true));
        }
    }

    /** Durable first, then visible: a reader never sees what a crash could take back. */
    private synchronized void write(JournalEntry entry) throws IOException {
        journal.append(json.writeValueAsBytes(entry));
        apply(entry);
    }

    @Override
    public synchronized List<Machine> machines() {
        return List.copyOf(machines.values());
    }

    @Override
    public synchronized Optional<Machine> machine(MacAddress mac) {
        return Optional.ofNullable(machines.get(mac));
    }

    @Override
    public synchronized List<Transition> history(MacAddress mac) {
        return List.copyOf(histories.getOrDefault(mac, List.of()));
    }

    @Override
    public synchronized Machine record(Transition t) throws IOException {
        write(new JournalEntry.StateChanged(t.mac().toString(), t.from().map(MachineState::wireName).orElse(null),
                t.to().wireName(), t.at(), t.cause(), t.reason().orElse(null)));
        return machines.get(t.mac());
    }

    @Override
    public synchronized Machine identify(MacAddress mac, Optional<UUID> uuid, Optional<String> serial, Instant at)
            throws IOException {
        Machine current = machines.get(mac);
        if (current == null) {
            throw new IllegalStateException("no machine " + mac);
        }
        Optional<UUID> newUuid = uuid.filter(u -> !current.uuid().equals(Optional.of(u)));
        Optional<String> newSerial = serial.filter(s -> !s.isBlank() && !current.serial().equals(Optional.of(s)));
        if (newUuid.isPresent() || newSerial.isPresent()) {
            write(new JournalEntry.IdentitySeen(mac.toString(), newUuid.map(UUID::toString).orElse(null),
                    newSerial.orElse(null), at));
        }
        return machines.get(mac);
    }

    @Override
    public synchronized void issueToken(MacAddress mac, String sha256, Instant expires) throws IOException {
        write(new JournalEntry.BootTokenIssued(mac.toString(), sha256, expires));
    }

    @Override
    public synchronized Optional<MacAddress> redeemToken(String sha256, Instant now) throws IOException {
        TokenState token = tokens.get(sha256);
        if (token == null || token.used() || now.isAfter(token.expires())) {
            return Optional.empty();
        }
        write(new JournalEntry.BootTokenRedeemed(token.mac().toString(), sha256, now));
        return Optional.of(token.mac());
    }

    @Override
    public void close() throws IOException {
        journal.close();
    }
}
