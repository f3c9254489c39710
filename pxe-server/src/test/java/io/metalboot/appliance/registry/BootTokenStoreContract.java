package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link BootTokenStore} must do; each implementation's test extends this. */
abstract class BootTokenStoreContract {
    static final MacAddress MAC = MacAddress.parse("52:54:00:aa:bb:01");
    static final MacAddress OTHER = MacAddress.parse("52:54:00:aa:bb:02");
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    BootTokenStore store;

    abstract BootTokenStore openEmpty() throws IOException;

    /** The store as a restart finds it (a journal replayed); one kept in memory only is itself. */
    BootTokenStore reopened() throws IOException {
        return store;
    }

    @BeforeEach
    void openStore() throws IOException {
        store = openEmpty();
    }

    @AfterEach
    void closeStore() throws IOException {
        store.close();
    }

    @Test
    void aBegunIssueIsStoredOnceAwaitedAndLeavesTheMachineFree() throws Exception {
        BootTokenStore.IssueInProgress begun = store.beginIssue(MAC, "h1", T0, T0.plusSeconds(60));
        begun.await();
        assertTrue(store.exchangeable(MAC, "h1", T0));
        // Another thread's write of the same machine goes ahead: nothing of the begun issue holds it.
        Thread other = Thread.ofVirtual().start(() -> {
            try {
                store.issue(MAC, "h2", T0, T0.plusSeconds(60));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        other.join(java.time.Duration.ofSeconds(60)); // a bound on a hang, never reached when it works
        assertFalse(other.isAlive(), "the machine's write waited for a lock the begun issue kept");
        assertFalse(store.exchangeable(MAC, "h1", T0), "the newer token revoked it");
        assertTrue(store.exchangeable(MAC, "h2", T0));
        store = reopened();
        assertTrue(store.exchangeable(MAC, "h2", T0), "stored, not only in memory");
        assertFalse(store.exchangeable(MAC, "h1", T0));
    }

    @Test
    void aTokenIsSingleUseAndOpensItsMachinesSession() throws IOException {
        store.issue(MAC, "aa", T0, T0.plusSeconds(60));
        assertTrue(store.exchange(MAC, "aa", "s1", T0.plusSeconds(10)));
        assertEquals(Optional.of(MAC), store.session("s1"));
        assertFalse(store.exchange(MAC, "aa", "s2", T0.plusSeconds(11)), "single use");
        assertEquals(Optional.empty(), store.session("s2"), "a refused exchange opens nothing");
        assertFalse(store.exchange(MAC, "cc", "s3", T0.plusSeconds(1)), "unknown");
        assertEquals(Optional.empty(), store.session("nope"));
    }

    @Test
    void anotherMachinesTokenIsRefusedAndNotUsedUp() throws IOException {
        store.issue(MAC, "aa", T0, T0.plusSeconds(60));
        assertFalse(store.exchange(OTHER, "aa", "s1", T0.plusSeconds(1)));
        assertEquals(Optional.empty(), store.session("s1"));
        assertTrue(store.exchange(MAC, "aa", "s2", T0.plusSeconds(2)), "still good for its own machine");
    }

    @Test
    void aTokenExpiresAfterItsLastGoodInstant() throws IOException {
        store.issue(MAC, "aa", T0, T0.plusSeconds(60));
        store.issue(OTHER, "bb", T0, T0.plusSeconds(60));
        assertFalse(store.exchange(MAC, "aa", "s1", T0.plusSeconds(60).plusNanos(1)), "expired");
        assertTrue(store.exchange(OTHER, "bb", "s2", T0.plusSeconds(60)), "still good at its expiry");
    }

    @Test
    void aNewTokenRevokesTheMachinesEarlierUnusedOne() throws IOException {
        store.issue(MAC, "aa", T0, T0.plusSeconds(60));
        store.issue(OTHER, "oo", T0, T0.plusSeconds(60));
        store.issue(MAC, "bb", T0.plusSeconds(1), T0.plusSeconds(61));
        assertFalse(store.exchangeable(MAC, "aa", T0.plusSeconds(2)), "revoked by the newer one");
        store = reopened();
        assertFalse(store.exchange(MAC, "aa", "s1", T0.plusSeconds(2)), "still revoked after a reopen");
        assertEquals(Optional.empty(), store.session("s1"));
        assertTrue(store.exchange(OTHER, "oo", "s2", T0.plusSeconds(3)), "another machine's token is untouched");
        assertTrue(store.exchange(MAC, "bb", "s3", T0.plusSeconds(3)), "the newest one is good");
    }

    @Test
    void aNewTokenAfterAnExchangeLeavesTheSessionOpenAndKnowsWhenItOpened() throws IOException {
        assertEquals(Optional.empty(), store.sessionOpened(MAC));
        store.issue(MAC, "aa", T0, T0.plusSeconds(60));
        assertTrue(store.exchangeable(MAC, "aa", T0.plusSeconds(5)));
        assertTrue(store.exchange(MAC, "aa", "s1", T0.plusSeconds(5)));
        store.issue(MAC, "bb", T0.plusSeconds(6), T0.plusSeconds(66));
        store = reopened();
        assertEquals(Optional.of(T0.plusSeconds(5)), store.sessionOpened(MAC));
        assertEquals(Optional.of(MAC), store.session("s1"), "a token is not a session: issuing one ends none");
        assertTrue(store.exchangeable(MAC, "bb", T0.plusSeconds(7)));
        assertFalse(store.exchangeable(MAC, "aa", T0.plusSeconds(7)), "used");
    }

    @Test
    void aNewSessionEndsTheMachinesOlderOne() throws IOException {
        store.issue(MAC, "aa", T0, T0.plusSeconds(60));
        store.issue(OTHER, "cc", T0, T0.plusSeconds(60));
        store.exchange(MAC, "aa", "s1", T0.plusSeconds(1));
        store.exchange(OTHER, "cc", "s3", T0.plusSeconds(1));
        store.issue(MAC, "bb", T0.plusSeconds(1), T0.plusSeconds(60));
        store.exchange(MAC, "bb", "s2", T0.plusSeconds(2));
        assertEquals(Optional.of(T0.plusSeconds(2)), store.sessionOpened(MAC));
        assertEquals(Optional.empty(), store.session("s1"), "the machine booted again: its old credential is dead");
        assertEquals(Optional.of(MAC), store.session("s2"));
        assertEquals(Optional.of(OTHER), store.session("s3"), "other machines keep theirs");
    }

    @Test
    void ofTwoConcurrentExchangesOfOneTokenExactlyOneWins() throws Exception {
        int tokens = 200;
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int i = 0; i < tokens; i++) {
                String hash = "t" + i;
                store.issue(MAC, hash, T0, T0.plusSeconds(60)); // one live token per machine: issued just before
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Boolean>> exchanges = new ArrayList<>();
                for (int racer = 0; racer < 2; racer++) {
                    String credential = hash + "-" + racer;
                    exchanges.add(pool.submit(() -> {
                        together.await();
                        return store.exchange(MAC, hash, credential, T0.plusSeconds(1));
                    }));
                }
                int winners = 0;
                for (Future<Boolean> exchange : exchanges) {
                    winners += exchange.get() ? 1 : 0;
                }
                assertEquals(1, winners, "token " + hash);
            }
        }
    }

    @Test
    void aNodeCredentialIsTheMachinesUntilRevokedAndANewOneReplacesIt() throws IOException {
        store.issueNodeCredential(MAC, "n1", T0);
        store.issueNodeCredential(OTHER, "n9", T0);
        assertEquals(Optional.of(MAC), store.nodeCredential("n1"));
        assertEquals(Optional.of(T0), store.nodeCredentialIssued(MAC));
        store.issueNodeCredential(MAC, "n2", T0.plusSeconds(5));
        assertEquals(Optional.empty(), store.nodeCredential("n1"), "a new deploy's credential replaces the old");
        assertEquals(Optional.of(MAC), store.nodeCredential("n2"));
        store = reopened();
        assertEquals(Optional.of(MAC), store.nodeCredential("n2"), "kept across a restart");
        assertEquals(Optional.of(T0.plusSeconds(5)), store.nodeCredentialIssued(MAC));
        store.revokeNodeCredential(MAC, T0.plusSeconds(9));
        store.revokeNodeCredential(MAC, T0.plusSeconds(10)); // twice: nothing more happens
        store = reopened();
        assertEquals(Optional.empty(), store.nodeCredential("n2"), "revoked, also after a restart");
        assertEquals(Optional.empty(), store.nodeCredentialIssued(MAC));
        assertEquals(Optional.of(OTHER), store.nodeCredential("n9"), "the other machine's is untouched");
        assertEquals(Optional.empty(), store.session("n9"), "a node credential opens no agent session");
    }

    @Test
    void aForgottenMachineLosesItsTokenSessionAndNodeCredentialAndOthersKeepTheirs() throws IOException {
        store.issue(MAC, "aa", T0, T0.plusSeconds(60));
        assertTrue(store.exchange(MAC, "aa", "s1", T0.plusSeconds(1)));
        store.issue(MAC, "bb", T0.plusSeconds(2), T0.plusSeconds(60));
        store.issueNodeCredential(MAC, "n1", T0.plusSeconds(3));
        store.issue(OTHER, "oo", T0, T0.plusSeconds(60));
        store.issueNodeCredential(OTHER, "n9", T0);
        store.forget(MAC, T0.plusSeconds(4));
        store.forget(MAC, T0.plusSeconds(5)); // twice: nothing more happens
        store = reopened();
        assertEquals(Optional.empty(), store.session("s1"), "its agent's credential is dead");
        assertEquals(Optional.empty(), store.sessionOpened(MAC));
        assertFalse(store.exchangeable(MAC, "bb", T0.plusSeconds(6)), "its unused token too");
        assertEquals(Optional.empty(), store.nodeCredential("n1"), "and its node's");
        assertEquals(Optional.empty(), store.nodeCredentialIssued(MAC));
        assertTrue(store.exchangeable(OTHER, "oo", T0.plusSeconds(6)), "another machine's token is untouched");
        assertEquals(Optional.of(OTHER), store.nodeCredential("n9"));
        store.issue(MAC, "cc", T0.plusSeconds(7), T0.plusSeconds(60));
        assertTrue(store.exchange(MAC, "cc", "s2", T0.plusSeconds(8)), "the MAC met again starts afresh");
    }
}
