package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The embedded boot-token store: its own journal ({@value #FILE_NAME}), apart from the machines',
 * so that short-lived tokens never sit in the machine history. A redeem is stored before it is
 * answered, so a token used once stays used across a restart or a kill -9.
 */
public final class JournalBootTokenStore implements BootTokenStore {
    static final String FILE_NAME = "boot-tokens.journal";

    private final InMemoryBootTokenStore state = new InMemoryBootTokenStore();
    private final JsonJournal<BootTokenJournalEntry> journal;

    private JournalBootTokenStore(Path stateDir) throws IOException {
        this.journal = JsonJournal.open(stateDir.resolve(FILE_NAME), BootTokenJournalEntry.class, this::replay);
    }

    public static JournalBootTokenStore open(Path stateDir) throws IOException {
        return new JournalBootTokenStore(stateDir);
    }

    private void replay(BootTokenJournalEntry entry) {
        switch (entry) {
            case BootTokenJournalEntry.Issued issued ->
                    state.issue(MacAddress.parse(issued.mac()), issued.sha256(), issued.at(), issued.expires());
            case BootTokenJournalEntry.Redeemed redeemed -> state.redeem(redeemed.sha256(), redeemed.at());
        }
    }

    @Override
    public synchronized void issue(MacAddress mac, String sha256, Instant issued, Instant expires)
            throws IOException {
        journal.append(new BootTokenJournalEntry.Issued(mac.toString(), sha256, issued, expires));
        state.issue(mac, sha256, issued, expires);
    }

    @Override
    public synchronized Optional<MacAddress> redeem(String sha256, Instant now) throws IOException {
        Optional<MacAddress> mac = state.redeemable(sha256, now);
        if (mac.isPresent()) {
            journal.append(new BootTokenJournalEntry.Redeemed(mac.get().toString(), sha256, now));
            state.redeem(sha256, now);
        }
        return mac;
    }

    @Override
    public void close() throws IOException {
        journal.close();
    }
}
