package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded boot-token store: its own journal ({@value #FILE_NAME}), apart from the machines',
 * so that short-lived tokens never sit in the machine history. An exchange is stored before it is
 * answered, so a token used once stays used, and its session stays open, across a restart or a
 * kill -9. Writes of one machine are serialised by its lock ({@link MachineLocks}); those of
 * different machines share the journal's fsyncs (group commit), each made visible only after the
 * fsync that covers it.
 */
public final class JournalBootTokenStore implements BootTokenStore {
    static final String FILE_NAME = "boot-tokens.journal";

    private final InMemoryBootTokenStore state = new InMemoryBootTokenStore();
    private final JsonJournal<BootTokenJournalEntry> journal;
    private final MachineLocks locks = new MachineLocks();

    private JournalBootTokenStore(Path stateDir) throws IOException {
        this.journal = JsonJournal.open(stateDir.resolve(FILE_NAME), BootTokenJournalEntry.class, this::replay);
    }

    public static JournalBootTokenStore open(Path stateDir) throws IOException {
        return new JournalBootTokenStore(stateDir);
    }

    private void replay(BootTokenJournalEntry entry) {
        MacAddress mac = MacAddress.parse(entry.mac());
        switch (entry) {
            case BootTokenJournalEntry.Issued issued -> state.issue(mac, issued.sha256(), issued.at(), issued.expires());
            case BootTokenJournalEntry.Exchanged exchanged ->
                    state.exchange(mac, exchanged.sha256(), exchanged.credentialSha256(), exchanged.at());
            case BootTokenJournalEntry.NodeIssued issued -> state.issueNodeCredential(mac, issued.sha256(), issued.at());
            case BootTokenJournalEntry.NodeRevoked revoked -> state.revokeNodeCredential(mac, revoked.at());
            case BootTokenJournalEntry.MachineForgotten forgotten -> state.forget(mac, forgotten.at());
        }
    }

    @Override
    public void issue(MacAddress mac, String sha256, Instant issued, Instant expires) throws IOException {
        beginIssue(mac, sha256, issued, expires).await();
    }

    /**
     * The machine's lock is held from here until {@code await} (the caller's thread, as the
     * interface requires), so no other write of this machine is decided on the state before the
     * token is in it.
     */
    @Override
    public IssueInProgress beginIssue(MacAddress mac, String sha256, Instant issued, Instant expires)
            throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        RecordJournal.Pending<Void> pending;
        try {
            pending = journal.enqueue(new BootTokenJournalEntry.Issued(mac.toString(), sha256, issued, expires), () -> {
                state.issue(mac, sha256, issued, expires);
                return null;
            });
        } catch (IOException | RuntimeException | Error e) {
            lock.unlock();
            throw e;
        }
        return () -> {
            try {
                pending.await();
            } finally {
                lock.unlock();
            }
        };
    }

    @Override
    public boolean exchange(MacAddress mac, String tokenSha256, String credentialSha256, Instant now)
            throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            if (!state.exchangeable(mac, tokenSha256, now)) {
                return false;
            }
            return journal.append(new BootTokenJournalEntry.Exchanged(mac.toString(), tokenSha256, credentialSha256,
                    now), () -> state.exchange(mac, tokenSha256, credentialSha256, now));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean exchangeable(MacAddress mac, String tokenSha256, Instant now) {
        return state.exchangeable(mac, tokenSha256, now);
    }

    @Override
    public Optional<Instant> sessionOpened(MacAddress mac) {
        return state.sessionOpened(mac);
    }

    @Override
    public Optional<MacAddress> session(String credentialSha256) {
        return state.session(credentialSha256);
    }

    @Override
    public void issueNodeCredential(MacAddress mac, String sha256, Instant at) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            journal.append(new BootTokenJournalEntry.NodeIssued(mac.toString(), sha256, at), () -> {
                state.issueNodeCredential(mac, sha256, at);
                return null;
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<MacAddress> nodeCredential(String sha256) {
        return state.nodeCredential(sha256);
    }

    @Override
    public Optional<Instant> nodeCredentialIssued(MacAddress mac) {
        return state.nodeCredentialIssued(mac);
    }

    @Override
    public void revokeNodeCredential(MacAddress mac, Instant at) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            if (state.nodeCredentialIssued(mac).isEmpty()) {
                return;
            }
            journal.append(new BootTokenJournalEntry.NodeRevoked(mac.toString(), at), () -> {
                state.revokeNodeCredential(mac, at);
                return null;
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void forget(MacAddress mac, Instant at) throws IOException {
        ReentrantLock lock = locks.of(mac);
        lock.lock();
        try {
            if (!state.holdsAnything(mac)) {
                return;
            }
            journal.append(new BootTokenJournalEntry.MachineForgotten(mac.toString(), at), () -> {
                state.forget(mac, at);
                return null;
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        journal.close();
    }
}
