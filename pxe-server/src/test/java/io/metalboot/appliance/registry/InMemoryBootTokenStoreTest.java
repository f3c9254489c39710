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

    private static io.metalboot.machine.MacAddress machine(int i) {
        return new io.metalboot.machine.MacAddress(0x5254_0000_0000L + i);
    }

    @Test
    void expiredTokensDoNotPileUp() {
        InMemoryBootTokenStore tokens = new InMemoryBootTokenStore();
        // One machine holds one live token, so 3000 tokens are 3000 machines'.
        for (int i = 0; i < 3000; i++) {
            tokens.issue(machine(i), "old" + i, T0, T0.plusSeconds(60));
        }
        Instant later = T0.plusSeconds(3600);
        for (int i = 0; i < 3000; i++) {
            tokens.issue(machine(3000 + i), "new" + i, later, later.plusSeconds(60));
        }
        assertTrue(tokens.size() <= 3000, "the 3000 expired ones were swept: " + tokens.size());
        assertTrue(tokens.exchange(machine(3000), "new0", "s0", later.plusSeconds(1)));
        assertTrue(tokens.exchange(machine(5999), "new2999", "s1", later.plusSeconds(1)));
        assertEquals(2998, tokens.size(), "an exchanged token is forgotten at once");
    }

    @Test
    void aBurstOfLiveTokensIsNotSweptEveryThousand() {
        InMemoryBootTokenStore tokens = new InMemoryBootTokenStore();
        for (int i = 0; i < 100_000; i++) {
            tokens.issue(machine(i), "t" + i, T0, T0.plusSeconds(3600));
        }
        assertEquals(100_000, tokens.size(), "none had expired");
        // Each sweep scans the whole table: at a fixed 1,024 that is 97 scans, a quadratic burst;
        // waiting for the table to double since the last sweep makes it 1024, 2048, 4096, ...
        assertTrue(tokens.sweeps() <= 8, "sweeps: " + tokens.sweeps());
    }
}
