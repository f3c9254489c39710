package io.metalboot.machine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cases follow apimachinery's own validation tests for qualified names and label values. */
class LabelSyntaxTest {
    @ParameterizedTest
    @ValueSource(strings = {"rack", "Rack-7", "a", "1", "a.b_c-d", "metalboot.io/role", "k8s.io/x", "a/b",
        "topology.kubernetes.io/zone"})
    void kubernetesKeysAreAccepted(String key) {
        assertDoesNotThrow(() -> LabelSyntax.requireKey(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-rack", "rack-", "ra ck", "rack/", "/rack", "Metalboot.io/role", "a_b/c",
        "a//b", "a/b/c", "é", "-.io/x"})
    void otherKeysAreRefusedSayingWhy(String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSyntax.requireKey(key));
        assertTrue(e.getMessage().startsWith("label key '" + key + "'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {63, 64})
    void aNameHasAtMost63Characters(int length) {
        String name = "a".repeat(length);
        if (length <= 63) {
            assertDoesNotThrow(() -> LabelSyntax.requireKey(name));
            assertDoesNotThrow(() -> LabelSyntax.requireValue(name));
        } else {
            assertThrows(IllegalArgumentException.class, () -> LabelSyntax.requireKey(name));
            assertThrows(IllegalArgumentException.class, () -> LabelSyntax.requireValue(name));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "worker", "v1.2_3-x", "A"})
    void valuesMayBeEmpty(String value) {
        assertDoesNotThrow(() -> LabelSyntax.requireValue(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-worker", "worker.", "a b", "a/b", "x:y"})
    void otherValuesAreRefusedSayingWhy(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelSyntax.requireValue(value));
        assertTrue(e.getMessage().startsWith("label value '" + value + "'"), e.getMessage());
    }
}
