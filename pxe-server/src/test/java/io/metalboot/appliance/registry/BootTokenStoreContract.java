package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    BootTokenStore store;

    abstract BootTokenStore openEmpty() throws IOException;

    @BeforeEach
    void openStore() throws IOException {
        store = openEmpty();
    }

    @AfterEach
    void closeStore() throws IOException {
        store.close();
    }

    @Test
    void aTokenIsSingleUseAndUnknownOnesGetNothing() throws IOException {
        store.issue(MAC, "aa", T0, T0.plusSeconds(60));
        assertEquals(Optional.of(MAC), store.redeem("aa", T0.plusSeconds(10)));
        assertEquals(Optional.empty(), store.redeem("aa", T0.plusSeconds(11)), "single use");
        assertEquals(Optional.empty(), store.redeem("cc", T0.plusSeconds(1)), "unknown");
    }

    @Test
    void aTokenExpiresAfterItsLastGoodInstant() throws IOException {
        store.issue(MAC, "aa", T0, T0.plusSeconds(60));
        store.issue(MAC, "bb", T0, T0.plusSeconds(60));
        assertEquals(Optional.empty(), store.redeem("aa", T0.plusSeconds(60).plusNanos(1)), "expired");
        assertEquals(Optional.of(MAC), store.redeem("bb", T0.plusSeconds(60)), "still good at its expiry");
    }

    @Test
    void ofTwoConcurrentRedeemsOfOneTokenExactlyOneWins() throws Exception {
        int tokens = 200;
        for (int i = 0; i < tokens; i++) {
            store.issue(MAC, "t" + i, T0, T0.plusSeconds(60));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int i = 0; i < tokens; i++) {
                String hash = "t" + i;
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Optional<MacAddress>>> redeems = new ArrayList<>();
                for (int racer = 0; racer < 2; racer++) {
                    redeems.add(pool.submit(() -> {
                        together.await();
                        return store.redeem(hash, T0.plusSeconds(1));
                    }));
                }
                int winners = 0;
                for (Future<Optional<MacAddress>> redeem : redeems) {
                    winners += redeem.get().isPresent() ? 1 : 0;
                }
                assertEquals(1, winners, "token " + hash);
            }
        }
    }
}
