package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryBootTokenStoreTest extends BootTokenStoreContract {
    @Override
    BootTokenStore openEmpty() {
        return new InMemoryBootTokenStore();
    }

    @Test
    void expiredTokensDoNotPileUp() {
        InMemoryBootTokenStore tokens = new InMemoryBootTokenStore();
        for (int i = 0; i < 3000; i++) {
            tokens.issue(MAC, "old" + i, T0, T0.plusSeconds(60));
        }
        Instant later = T0.plusSeconds(3600);
        for (int i = 0; i < 3000; i++) {
            tokens.issue(MAC, "new" + i, later, later.plusSeconds(60));
        }
        assertTrue(tokens.size() <= 3000, "the 3000 expired ones were swept: " + tokens.size());
        assertTrue(tokens.exchange(MAC, "new0", "s0", later.plusSeconds(1)));
        assertTrue(tokens.exchange(MAC, "new2999", "s1", later.plusSeconds(1)));
        assertEquals(2998, tokens.size(), "an exchanged token is forgotten at once");
    }
}
