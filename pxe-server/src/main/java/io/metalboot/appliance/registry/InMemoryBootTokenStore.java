package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Boot tokens in memory only; also the state {@link JournalBootTokenStore} replays into. A used
 * or expired token is forgotten, so the table holds only tokens that could still be redeemed.
 */
public final class InMemoryBootTokenStore implements BootTokenStore {
    /** Expired tokens are swept once the table has grown by this much since the last sweep. */
    private static final int SWEEP_EVERY = 1024;

    private record Issued(MacAddress mac, Instant expires) {
    }

    private final Map<String, Issued> tokens = new HashMap<>();
    private int issuedSinceSweep;

    @Override
    public synchronized void issue(MacAddress mac, String sha256, Instant issued, Instant expires) {
        if (++issuedSinceSweep >= SWEEP_EVERY) {
            sweep(issued);
        }
        tokens.put(sha256, new Issued(mac, expires));
    }

    @Override
    public synchronized Optional<MacAddress> redeem(String sha256, Instant now) {
        Optional<MacAddress> mac = redeemable(sha256, now);
        tokens.remove(sha256);
        return mac;
    }

    /** What {@link #redeem} would answer, without using the token up. */
    synchronized Optional<MacAddress> redeemable(String sha256, Instant now) {
        Issued issued = tokens.get(sha256);
        return issued == null || now.isAfter(issued.expires()) ? Optional.empty() : Optional.of(issued.mac());
    }

    /** Forgets the tokens that had expired by {@code now}: no redeem could get them any more. */
    private void sweep(Instant now) {
        issuedSinceSweep = 0;
        tokens.values().removeIf(issued -> now.isAfter(issued.expires()));
    }

    /** Tokens held: issued, not yet redeemed, not yet swept. */
    synchronized int size() {
        return tokens.size();
    }

    @Override
    public void close() {
    }
}
