package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Boot tokens and sessions in memory only; also the state {@link JournalBootTokenStore} replays
 * into. A used or expired token is forgotten, so the table holds only tokens that could still be
 * exchanged; a machine's older session is forgotten when it opens a new one.
 */
public final class InMemoryBootTokenStore implements BootTokenStore {
    /**
     * Expired tokens are swept once this many have been issued since the last sweep, or as many
     * as the table kept then if that is more: a sweep scans the whole table, so a fixed interval
     * would make a burst of new machines quadratic (it ran on the journal's writer thread, in
     * every waiting request's way). The table stays within about twice what was live at the last sweep.
     */
    private static final int SWEEP_EVERY = 1024;

    private record Issued(MacAddress mac, Instant expires) {
    }

    private final Map<String, Issued> tokens = new HashMap<>();
    private final Map<String, MacAddress> sessions = new HashMap<>();
    private final Map<MacAddress, String> sessionOf = new HashMap<>();
    private final Map<MacAddress, Instant> sessionOpened = new HashMap<>();
    /** Each machine's one live token: a newer one revokes it. */
    private final Map<MacAddress, String> liveToken = new HashMap<>();
    private int issuedSinceSweep;
    private int keptAtLastSweep;
    private int sweeps;

    private record NodeCredential(String sha256, Instant issued) {
    }

    private final Map<MacAddress, NodeCredential> nodeCredentialOf = new HashMap<>();
    private final Map<String, MacAddress> nodeCredentials = new HashMap<>();

    @Override
    public synchronized void issue(MacAddress mac, String sha256, Instant issued, Instant expires) {
        if (++issuedSinceSweep >= Math.max(SWEEP_EVERY, keptAtLastSweep)) {
            sweep(issued);
        }
        String revoked = liveToken.put(mac, sha256);
        if (revoked != null && !revoked.equals(sha256)) {
            tokens.remove(revoked);
        }
        tokens.put(sha256, new Issued(mac, expires));
    }

    @Override
    public synchronized boolean exchange(MacAddress mac, String tokenSha256, String credentialSha256, Instant now) {
        if (!exchangeable(mac, tokenSha256, now)) {
            return false;
        }
        tokens.remove(tokenSha256);
        liveToken.remove(mac, tokenSha256);
        sessionOpened.put(mac, now);
        String previous = sessionOf.put(mac, credentialSha256);
        if (previous != null) {
            sessions.remove(previous);
        }
        sessions.put(credentialSha256, mac);
        return true;
    }

    @Override
    public synchronized boolean exchangeable(MacAddress mac, String tokenSha256, Instant now) {
        Issued issued = tokens.get(tokenSha256);
        return issued != null && issued.mac().equals(mac) && !now.isAfter(issued.expires());
    }

    @Override
    public synchronized Optional<Instant> sessionOpened(MacAddress mac) {
        return Optional.ofNullable(sessionOpened.get(mac));
    }

    @Override
    public synchronized Optional<MacAddress> session(String credentialSha256) {
        return Optional.ofNullable(sessions.get(credentialSha256));
    }

    @Override
    public synchronized void issueNodeCredential(MacAddress mac, String sha256, Instant at) {
        NodeCredential previous = nodeCredentialOf.put(mac, new NodeCredential(sha256, at));
        if (previous != null) {
            nodeCredentials.remove(previous.sha256());
        }
        nodeCredentials.put(sha256, mac);
    }

    @Override
    public synchronized Optional<MacAddress> nodeCredential(String sha256) {
        return Optional.ofNullable(nodeCredentials.get(sha256));
    }

    @Override
    public synchronized Optional<Instant> nodeCredentialIssued(MacAddress mac) {
        return Optional.ofNullable(nodeCredentialOf.get(mac)).map(NodeCredential::issued);
    }

    @Override
    public synchronized void revokeNodeCredential(MacAddress mac, Instant at) {
        NodeCredential revoked = nodeCredentialOf.remove(mac);
        if (revoked != null) {
            nodeCredentials.remove(revoked.sha256());
        }
    }

    @Override
    public synchronized void forget(MacAddress mac, Instant at) {
        String live = liveToken.remove(mac);
        if (live != null) {
            tokens.remove(live);
        }
        String session = sessionOf.remove(mac);
        if (session != null) {
            sessions.remove(session);
        }
        sessionOpened.remove(mac);
        revokeNodeCredential(mac, at);
    }

    /** Whether {@link #forget} would end anything of the machine. */
    synchronized boolean holdsAnything(MacAddress mac) {
        return liveToken.containsKey(mac) || sessionOf.containsKey(mac) || nodeCredentialOf.containsKey(mac);
    }

    /** Forgets the tokens that had expired by {@code now}: no exchange could use them any more. */
    private void sweep(Instant now) {
        issuedSinceSweep = 0;
        tokens.values().removeIf(issued -> now.isAfter(issued.expires()));
        liveToken.values().removeIf(sha256 -> !tokens.containsKey(sha256));
        keptAtLastSweep = tokens.size();
        sweeps++;
    }

    /** Sweeps so far (what a test counts: the scans a burst costs). */
    synchronized int sweeps() {
        return sweeps;
    }

    /** Tokens held: issued, not yet exchanged, not yet swept. */
    synchronized int size() {
        return tokens.size();
    }

    @Override
    public void close() {
    }
}
