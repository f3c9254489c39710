package io.metalboot.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BootstrapRedactionTest {
    @Test
    void bootstrapTokensAreRedactedWithoutBeingGiven() {
        assertEquals("kubeadm join --token [redacted] 10.0.0.1:6443",
                BootstrapRedaction.redact("kubeadm join --token t6ce1o.wkyg0xd1di0itgau 10.0.0.1:6443", List.of()));
        // not a token: too long a secret part, upper case, or inside a longer word
        String notTokens = "abcdef.0123456789abcdefg ABCDEF.0123456789ABCDEF xabcdef.0123456789abcdef";
        assertEquals(notTokens, BootstrapRedaction.redact(notTokens, List.of()));
    }

    @Test
    void everyLineOfTheSecretContentIsRedacted() {
        byte[] secret = "#cloud-config\n  id: abc\n  certificateKey: 0f3b2a9c8d7e6f5a\n".getBytes(StandardCharsets.UTF_8);
        String log = "cloud-init: #cloud-config\nwriting certificateKey: 0f3b2a9c8d7e6f5a done\nid: abc";
        assertEquals("cloud-init: [redacted]\nwriting [redacted] done\nid: abc", BootstrapRedaction.redact(log, List.of(secret)));
    }

    @Test
    void theMetal3VectorLeavesNothingOfItselfInItsOwnText() {
        byte[] vector = ClusterFixtures.metal3Vector();
        String redacted = BootstrapRedaction.redact(new String(vector, StandardCharsets.UTF_8), List.of(vector));
        ClusterFixtures.assertNoSecret(redacted, vector);
        assertFalse(redacted.contains(ClusterFixtures.JOIN_TOKEN));
    }
}
