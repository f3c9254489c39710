package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Where boot tokens and the session credentials they are exchanged for are kept, by their SHA-256
 * only (neither secret is ever stored). A boot token is single-use: of any number of concurrent
 * exchanges of one token, exactly one wins. Each machine has at most one session: a new one ends
 * the one before. Every implementation passes {@code BootTokenStoreContract}.
 *
 * <p>Also the node credentials: one per machine whose deploy handed out bootstrap data, with which
 * the written OS reports whether it joined; live until it reports (or is given up on).
 */
public interface BootTokenStore extends AutoCloseable {
    /**
     * Stores a token handed out at {@code issued}, good until {@code expires}. It revokes the
     * machine's earlier unexchanged tokens: a machine has at most one live token.
     */
    void issue(MacAddress mac, String sha256, Instant issued, Instant expires) throws IOException;

    /**
     * {@link #issue}, begun: the token's record may be on its way to disk when this returns, and
     * {@link IssueInProgress#await} returns once it is stored (or throws as {@code issue} would).
     * The caller must call {@code await} exactly once, on the same thread, whatever happens in
     * between: the machine's writes in this store wait for it. It lets a caller write a record of
     * its own (the machine's, in the other journal) while this one's fsync runs, without a thread
     * for either. By default the token is stored right here.
     */
    default IssueInProgress beginIssue(MacAddress mac, String sha256, Instant issued, Instant expires)
            throws IOException {
        issue(mac, sha256, issued, expires);
        return () -> {
        };
    }

    /** What {@link #beginIssue} returns. */
    @FunctionalInterface
    interface IssueInProgress {
        /** Waits until the token is stored; throws if it was not. */
        void await() throws IOException;
    }

    /**
     * Uses up the unused token of {@code mac} with hash {@code tokenSha256}, if it has not expired at
     * {@code now}, and opens the session {@code credentialSha256} for that machine. False, and
     * nothing changed, for an unknown, used, expired or another machine's token.
     */
    boolean exchange(MacAddress mac, String tokenSha256, String credentialSha256, Instant now) throws IOException;

    /** What {@link #exchange} would answer now, changing nothing. */
    boolean exchangeable(MacAddress mac, String tokenSha256, Instant now);

    /** When the machine's current session was opened (its agent registered), if it has one. */
    Optional<Instant> sessionOpened(MacAddress mac);

    /** The machine whose current session this credential is. */
    Optional<MacAddress> session(String credentialSha256);

    /** Stores the node credential of {@code mac}'s current deploy; it replaces the machine's earlier one. */
    void issueNodeCredential(MacAddress mac, String sha256, Instant at) throws IOException;

    /** The machine whose live node credential this is. */
    Optional<MacAddress> nodeCredential(String sha256);

    /** When the machine's live node credential was issued, if it has one. */
    Optional<Instant> nodeCredentialIssued(MacAddress mac);

    /** Ends the machine's node credential (it reported, or was given up on); no-op without one. */
    void revokeNodeCredential(MacAddress mac, Instant at) throws IOException;

    /**
     * Ends everything the machine holds here, its unused boot token, its agent session and its
     * node credential, because the machine itself is being forgotten (deleted, or expired); no-op
     * for a machine that holds nothing.
     */
    void forget(MacAddress mac, Instant at) throws IOException;

    @Override
    void close() throws IOException;
}
