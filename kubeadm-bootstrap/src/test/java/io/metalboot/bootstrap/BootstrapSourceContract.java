package io.metalboot.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.SmbiosUuid;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BootstrapSource} promises, run against each: found by the machine's keys,
 * nothing for a machine it does not know, the bytes exactly as stored and read at every call,
 * the format and the origin right, and no secret in a toString or an exception message.
 */
abstract class BootstrapSourceContract {
    static final MachineKeys UNKNOWN = new MachineKeys(MacAddress.parse("02:00:00:00:00:99"),
            Optional.of(SmbiosUuid.parse("00000000-0000-4000-8000-000000000099")), Optional.of("NOBODY-99"));

    abstract BootstrapSource source();

    /** The machine the fixtures hold data for, by its MAC address. */
    abstract MachineKeys known();

    /** The same machine by its other keys, with a MAC address the source does not know (none if the source maps only MACs). */
    abstract List<MachineKeys> knownOtherwise();

    abstract byte[] expectedValue();

    abstract BootstrapFormat expectedFormat();

    /** What the origin must contain: the object the data was read from. */
    abstract String expectedOrigin();

    /** Changes the stored value, as the bootstrap provider renewing a join token does. */
    abstract void replaceValue(byte[] value) throws Exception;

    /** Stores the secret value where the machine's data is, in a form the source must refuse. */
    abstract void storeRefused(byte[] secretValue) throws Exception;

    @Test
    void findsTheMachineByItsMacAddress() throws Exception {
        BootstrapData data = source().find(known()).orElseThrow();
        assertArrayEquals(expectedValue(), data.value());
        assertEquals(expectedFormat(), data.format());
        assertTrue(data.origin().contains(expectedOrigin()), data.origin());
    }

    @Test
    void findsTheMachineByItsOtherKeys() throws Exception {
        for (MachineKeys keys : knownOtherwise()) {
            assertArrayEquals(expectedValue(), source().find(keys).orElseThrow(() -> new AssertionError(keys)).value());
        }
    }

    @Test
    void knowsNothingOfAnUnknownMachine() throws Exception {
        assertEquals(Optional.empty(), source().find(UNKNOWN));
    }

    @Test
    void readsTheDataAtEveryCall() throws Exception {
        BootstrapSource source = source();
        assertArrayEquals(expectedValue(), source.find(known()).orElseThrow().value());
        byte[] renewed = new String(expectedValue(), StandardCharsets.UTF_8).replace("#cloud-config",
                "#cloud-config\n# renewed").getBytes(StandardCharsets.UTF_8);
        replaceValue(renewed);
        assertArrayEquals(renewed, source.find(known()).orElseThrow().value());
    }

    @Test
    void toStringShowsNoSecret() throws Exception {
        byte[] secret = ClusterFixtures.metal3Vector();
        replaceValue(secret);
        BootstrapData data = source().find(known()).orElseThrow();
        assertArrayEquals(secret, data.value());
        ClusterFixtures.assertNoSecret(data.toString(), secret);
    }

    @Test
    void exceptionMessagesShowNoSecret() throws Exception {
        byte[] secret = ClusterFixtures.metal3Vector();
        storeRefused(secret);
        BootstrapException e = assertThrows(BootstrapException.class, () -> source().find(known()));
        for (Throwable t = e; t != null; t = t.getCause()) {
            ClusterFixtures.assertNoSecret(String.valueOf(t.getMessage()), secret);
            ClusterFixtures.assertNoSecret(t.toString(), secret);
        }
    }
}
