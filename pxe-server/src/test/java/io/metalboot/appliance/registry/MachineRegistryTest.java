package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineRegistryTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:aa:bb:02");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void anUnknownMachineIsDiscoveredOrIgnored(@TempDir Path dir) throws Exception {
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            MachineRegistry knownOnly = new MachineRegistry(store, new InMemoryBootTokenStore(), false, java.util.Set.of(), Duration.ofHours(1), CLOCK);
            assertEquals(Optional.empty(), knownOnly.pxeBooted(MAC, Optional.empty(), Optional.empty()));
            assertTrue(store.machines().isEmpty());

            MachineRegistry auto = new MachineRegistry(store, new InMemoryBootTokenStore(), true, java.util.Set.of(), Duration.ofHours(1), CLOCK);
            UUID uuid = UUID.fromString("11223344-5566-7788-99aa-bbccddeeff01");
            Machine machine = auto.pxeBooted(MAC, Optional.of(uuid), Optional.of("SER-2")).orElseThrow();
            assertEquals(MachineState.DISCOVERED, machine.state());
            assertEquals(Optional.of(uuid), machine.uuid());
            assertEquals(Optional.of("SER-2"), machine.serial());
            auto.pxeBooted(MAC, Optional.of(uuid), Optional.of("SER-2"));
            assertEquals(1, auto.history(MAC).size(), "booting again is not a transition");
        }
    }

    @Test
    void theLifecycleIsEnforced(@TempDir Path dir) throws Exception {
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            MachineRegistry registry = new MachineRegistry(store, new InMemoryBootTokenStore(), true, java.util.Set.of(),
                    Duration.ofHours(1), CLOCK);
            registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
            assertThrows(IllegalStateException.class,
                    () -> registry.advance(MAC, MachineState.PROVISIONED, "agent", Optional.empty()));
            registry.advance(MAC, MachineState.INSPECTING, "agent", Optional.empty());
            registry.advance(MAC, MachineState.FAILED, "agent", Optional.of("disk not found"));
            assertEquals(Optional.of("disk not found"), registry.machine(MAC).orElseThrow().failureReason());
            assertThrows(IllegalStateException.class,
                    () -> registry.operatorSets(MAC, MachineState.JOINED, Optional.empty()));
            Machine back = registry.operatorSets(MAC, MachineState.PROVISIONING, Optional.of("retry"));
            assertEquals(MachineState.PROVISIONING, back.state());
            assertTrue(back.failureReason().isEmpty());
            Transition last = registry.history(MAC).getLast();
            assertEquals(Optional.of(MachineState.FAILED), last.from());
            assertEquals("operator", last.cause());
            assertThrows(IllegalStateException.class,
                    () -> registry.operatorSets(MacAddress.parse("52:54:00:00:00:99"), MachineState.INSPECTING,
                            Optional.empty()));
        }
    }

    @Test
    void bootTokensAreRandomSingleUseAndNeverStoredInClear(@TempDir Path dir) throws Exception {
        String token;
        String credential;
        try (JournalMachineStore store = JournalMachineStore.open(dir);
                JournalBootTokenStore tokens = JournalBootTokenStore.open(dir)) {
            MachineRegistry registry = new MachineRegistry(store, tokens, true, java.util.Set.of(), Duration.ofMinutes(30),
                    CLOCK);
            registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
            token = registry.issueBootToken(MAC);
            String other = registry.issueBootToken(MAC);
            assertFalse(token.equals(other));
            assertTrue(token.length() >= 43, "256 bits");
            credential = registry.registerAgent(MAC, token).orElseThrow();
            assertEquals(Optional.empty(), registry.registerAgent(MAC, token), "single use");
            assertEquals(Optional.of(MAC), registry.agentSession(credential));
        }
        String journal = new String(Files.readAllBytes(dir.resolve(JournalBootTokenStore.FILE_NAME)),
                StandardCharsets.ISO_8859_1);
        assertFalse(journal.contains(token), "the journal holds the token's hash only");
        assertTrue(journal.contains(MachineRegistry.sha256(token)));
        assertFalse(journal.contains(credential), "and the credential's hash only");
        assertTrue(journal.contains(MachineRegistry.sha256(credential)));
    }

    /** A clock the test moves by hand. */
    private static final class SteppedClock extends Clock {
        private Instant now = Instant.parse("2026-11-25T10:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aBootTokenExpiresByTheRegistrysClock() throws Exception {
        SteppedClock clock = new SteppedClock();
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), new InMemoryBootTokenStore(), true,
                java.util.Set.of(), Duration.ofMinutes(30), clock);
        registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
        String early = registry.issueBootToken(MAC);
        String late = registry.issueBootToken(MAC);
        clock.advance(Duration.ofMinutes(30));
        assertTrue(registry.registerAgent(MAC, early).isPresent(), "good for its whole lifetime");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), registry.registerAgent(MAC, late), "expired one second after its lifetime");
    }

    @Test
    void labelsFollowKubernetesSyntaxAndNeedAMachine() throws Exception {
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), new InMemoryBootTokenStore(), true,
                java.util.Set.of(), Duration.ofMinutes(30), CLOCK);
        registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
        assertEquals(java.util.Map.of("metalboot.io/role", "worker"),
                registry.setLabel(MAC, "metalboot.io/role", "worker").labels());
        assertThrows(IllegalArgumentException.class, () -> registry.setLabel(MAC, "-role", "worker"));
        assertThrows(IllegalArgumentException.class, () -> registry.setLabel(MAC, "role", "not valid"));
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> registry.setLabel(MacAddress.parse("52:54:00:00:00:99"), "role", "worker"));
        assertEquals("no machine 52:54:00:00:00:99", none.getMessage());
        assertEquals(java.util.Map.of(), registry.removeLabel(MAC, "metalboot.io/role").labels());
    }

    @Test
    void knownOnlyAdmitsListedAndRecordedMachinesOnly() throws Exception {
        MacAddress listed = MacAddress.parse("52:54:00:00:00:10");
        InMemoryMachineStore store = new InMemoryMachineStore();
        MachineRegistry auto = new MachineRegistry(store, new InMemoryBootTokenStore(), true, java.util.Set.of(),
                Duration.ofMinutes(30), CLOCK);
        auto.pxeBooted(MAC, Optional.empty(), Optional.empty());
        MachineRegistry knownOnly = new MachineRegistry(store, new InMemoryBootTokenStore(), false,
                java.util.Set.of(listed), Duration.ofMinutes(30), CLOCK);
        assertTrue(knownOnly.admits(listed));
        assertTrue(knownOnly.admits(MAC), "already recorded");
        assertFalse(knownOnly.admits(MacAddress.parse("52:54:00:00:00:11")));
        assertTrue(auto.admits(MacAddress.parse("52:54:00:00:00:11")));
    }

    @Test
    void registrationAndInventoryMoveTheMachineAlongAndNothingElseDoes() throws Exception {
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), new InMemoryBootTokenStore(), true,
                java.util.Set.of(), Duration.ofMinutes(30), CLOCK);
        MacAddress other = MacAddress.parse("52:54:00:aa:bb:03");
        registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
        registry.pxeBooted(other, Optional.empty(), Optional.empty());
        String token = registry.issueBootToken(MAC);
        assertEquals(Optional.empty(), registry.registerAgent(other, token), "another machine's token");
        assertEquals(Optional.empty(), registry.registerAgent(MAC, token + "x"), "a wrong token");
        assertEquals(MachineState.DISCOVERED, registry.machine(MAC).orElseThrow().state(), "refusals changed nothing");
        assertEquals(MachineState.DISCOVERED, registry.machine(other).orElseThrow().state());

        String credential = registry.registerAgent(MAC, token).orElseThrow();
        assertEquals(MachineState.INSPECTING, registry.machine(MAC).orElseThrow().state());
        assertEquals(Optional.empty(), registry.agentSession(credential + "x"));
        registry.inventoried(MAC, "{\"hostname\":\"a\"}");
        assertEquals(MachineState.AVAILABLE, registry.machine(MAC).orElseThrow().state());
        assertEquals(Optional.of("{\"hostname\":\"a\"}"), registry.inventory(MAC));
        assertEquals(List.of("pxe-boot", "agent", "agent"), registry.history(MAC).stream().map(Transition::cause).toList());

        String again = registry.registerAgent(MAC, registry.issueBootToken(MAC)).orElseThrow();
        assertEquals(MachineState.AVAILABLE, registry.machine(MAC).orElseThrow().state(), "an available machine stays so");
        assertEquals(Optional.empty(), registry.agentSession(credential), "its previous boot's credential is dead");
        assertEquals(Optional.of(MAC), registry.agentSession(again));
    }
}
