package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.machine.agent.DeployedDisk;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded machine store: an append-only journal of checksummed JSON records
 * ({@value #FILE_NAME} under the state directory), replayed into an {@link InMemoryMachineStore}
 * at start.
 *
 * <p>Why a journal and not an embedded database: the state is small (hundreds of machines), the
 * journal is the state history the REST API shows anyway, every change must be durable before it
 * is acknowledged (an fdatasync covering the record, nothing else), and it needs no native library or
 * schema migration on an appliance that must start unattended.
 *
 * <p>Changes of one machine are serialised by its lock ({@link MachineLocks}); changes of
 * different machines wait for their fsync together, the journal's group commit.
 */
public final class JournalMachineStore implements MachineStore {
    static final String FILE_NAME = "machines.journal";

    private final InMemoryMachineStore state = new InMemoryMachineStore();
    private final JsonJournal<MachineJournalEntry> journal;
    private final MachineLocks locks = new MachineLocks();

    private JournalMachineStore(Path stateDir) throws IOException {
        this.journal = JsonJournal.open(stateDir.resolve(FILE_NAME), MachineJournalEntry.class, this::apply);
    }

    public static JournalMachineStore open(Path stateDir) throws IOException {
        return new JournalMachineStore(stateDir);
    }

    /** Applies one record to the in-memory state; the machine as it now is (null for a retired record). */
    private Machine apply(MachineJournalEntry entry) {
        MacAddress mac = MacAddress.parse(entry.mac());
        return switch (entry) {
            case MachineJournalEntry.StateChanged change -> state.record(new Transition(mac,
                    Optional.ofNullable(change.from()).map(MachineState::ofWireName),
                    MachineState.ofWireName(change.to()), change.at(), change.cause(),
                    Optional.ofNullable(change.reason())));
            case MachineJournalEntry.IdentitySeen seen -> state.identify(mac,
                    Optional.ofNullable(seen.uuid()).map(UUID::fromString), Optional.ofNullable(seen.serial()),
                    seen.at());
            case MachineJournalEntry.LabelSet set -> state.setLabel(mac, set.key(), set.value(), set.at());
            case MachineJournalEntry.LabelRemoved removed -> state.removeLabel(mac, removed.key(), removed.at());
            case MachineJournalEntry.InventoryStored stored -> {
                state.storeInventory(mac, stored.inventory(), stored.at());
                yield state.existing(mac);
            }
            case MachineJournalEntry.AlertRaised raised -> state.alert(mac, raised.message(), raised.at());
            case MachineJournalEntry.Forgotten forgotten -> {
                state.forget(mac, forgotten.at());
                yield null;
            }
            case MachineJournalEntry.DeployStarted started -> state.startDeploy(new Transition(mac,
                    Optional.ofNullable(started.from()).map(MachineState::ofWireName), MachineState.PROVISIONING,
                    started.at(), started.cause(), Optional.ofNullable(started.reason())), new DeployRequest(started.deployId(),
                    started.image(), started.url(), started.checksum(), started.format(), started.rootDeviceHints(),
                    started.readBack()));
            case MachineJournalEntry.DeploySucceeded succeeded -> state.deployed(new Transition(mac,
                    Optional.of(MachineState.PROVISIONING), MachineState.PROVISIONED, succeeded.at(), succeeded.cause(),
                    Optional.ofNullable(succeeded.reason())), succeeded.deployId(), succeeded.disk());
            case MachineJournalEntry.RetiredTokenRecord retired -> null; // never written, only replayed
        };
    }

    /**
     * Durable first, then visible: a reader never sees what a crash could take back. The record
     * is applied on the journal's writer thread right after its fsync, in journal order; the
     * caller holds the machine's lock, so nothing else changes this machine meanwhile.
     */
    private Machine write(MachineJournalEntry entry) throws IOException {
        return journal.append(entry, () -> apply(entry));
    }

    @Override
    public int count(MachineState state) {
        return this.state.count(state);
    }

    @Override
    public List<Machine> machines() {
        return state.machines();
    }

    @Override
    public Optional<Machine> machine(MacAddress mac) {
        return state.machine(mac);
    }

    @Override
    public List<Transition> history(MacAddress mac) {
        return state.history(mac);
    }

    @Override
    public Machine record(Transition t) throws IOException {
        ReentrantLock lock = locks.of(t.mac());
        lock.lock();
        try {
            return write(new MachineJournalEntry.StateChanged(t.mac().toString(),
                    t.from().map(MachineState::wireName).orElse(null), t.to().wireName(), t.at(), t.cause(),
                    t.reason().orElse(null)));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Machine identify(MacAddress mac, Optional<UUID> uuid, Optional<String> serial, Instant at)
            throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            Machine current = state.existing(mac);
            Optional<UUID> newUuid = uuid.filter(u -> !current.uuid().equals(Optional.of(u)));
            Optional<String> newSerial = serial.filter(s -> !s.isBlank() && !current.serial().equals(Optional.of(s)));
            if (newUuid.isEmpty() && newSerial.isEmpty()) {
                return current;
            }
            return write(new MachineJournalEntry.IdentitySeen(mac.toString(), newUuid.map(UUID::toString).orElse(null),
                    newSerial.orElse(null), at));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Machine setLabel(MacAddress mac, String key, String value, Instant at) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            if (value.equals(state.existing(mac).labels().get(key))) {
                return state.existing(mac);
            }
            return write(new MachineJournalEntry.LabelSet(mac.toString(), key, value, at));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Machine removeLabel(MacAddress mac, String key, Instant at) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            if (!state.existing(mac).labels().containsKey(key)) {
                return state.existing(mac);
            }
            return write(new MachineJournalEntry.LabelRemoved(mac.toString(), key, at));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void storeInventory(MacAddress mac, String inventoryJson, Instant at) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            state.existing(mac);
            write(new MachineJournalEntry.InventoryStored(mac.toString(), inventoryJson, at));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<String> inventory(MacAddress mac) {
        return state.inventory(mac);
    }

    @Override
    public Machine startDeploy(Transition t, DeployRequest deploy) throws IOException {
        ReentrantLock lock = locks.of(t.mac());
        lock.lock();
        try {
            state.existing(t.mac());
            if (t.to() != MachineState.PROVISIONING) {
                throw new IllegalArgumentException("a deploy starts with a move to provisioning");
            }
            return write(new MachineJournalEntry.DeployStarted(t.mac().toString(),
                    t.from().map(MachineState::wireName).orElse(null), t.at(), t.cause(), t.reason().orElse(null), deploy.id(),
                    deploy.image(),
                    deploy.url(), deploy.checksum(), deploy.format(), deploy.rootDeviceHints(), deploy.readBack()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Machine deployed(Transition t, String deployId, DeployedDisk disk) throws IOException {
        ReentrantLock lock = locks.of(t.mac());
        lock.lock();
        try {
            state.existing(t.mac());
            Optional<Deploy> running = state.deploy(t.mac()).filter(d -> d.outcome() == Deploy.Outcome.RUNNING
                    && d.request().id().equals(deployId));
            if (running.isEmpty() || t.to() != MachineState.PROVISIONED) {
                throw new IllegalStateException("no deploy " + deployId + " runs on " + t.mac());
            }
            return write(new MachineJournalEntry.DeploySucceeded(t.mac().toString(), deployId, disk, t.at(), t.cause(),
                    t.reason().orElse(null)));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Deploy> deploy(MacAddress mac) {
        return state.deploy(mac);
    }

    @Override
    public Machine alert(MacAddress mac, String message, Instant at) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            state.existing(mac);
            return write(new MachineJournalEntry.AlertRaised(mac.toString(), message, at));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void forget(MacAddress mac, Instant at) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            state.existing(mac);
            write(new MachineJournalEntry.Forgotten(mac.toString(), at));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        journal.close();
    }
}
