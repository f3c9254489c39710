package io.metalboot.appliance.registry;

import io.metalboot.machine.testing.SteppedClock;
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
            String other = registry.issueBootToken(MAC);
            token = registry.issueBootToken(MAC);
            assertFalse(token.equals(other));
            assertTrue(token.length() >= 43, "256 bits");
            assertEquals(Optional.empty(), registry.registerAgent(MAC, other), "revoked by the newer token");
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

    @Test
    void aBootTokenExpiresByTheRegistrysClock() throws Exception {
        SteppedClock clock = new SteppedClock();
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), new InMemoryBootTokenStore(), true,
                java.util.Set.of(), Duration.ofMinutes(30), clock);
        registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
        String early = registry.issueBootToken(MAC);
        clock.advance(Duration.ofMinutes(30));
        assertTrue(registry.registerAgent(MAC, early).isPresent(), "good for its whole lifetime");
        String late = registry.issueBootToken(MAC);
        clock.advance(Duration.ofMinutes(30).plusSeconds(1));
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

    @Test
    void aScriptRequestRecordsTheBootAndIssuesATokenOnlyToAMachineThatBootsTheAgent(@TempDir Path dir)
            throws Exception {
        try (JournalMachineStore store = JournalMachineStore.open(dir);
                JournalBootTokenStore tokens = JournalBootTokenStore.open(dir)) {
            MachineRegistry registry = new MachineRegistry(store, tokens, true, java.util.Set.of(), Duration.ofHours(1),
                    CLOCK, 1, Duration.ofDays(1));
            AgentBoot first = registry.recordAgentBoot(MAC, Optional.empty(), Optional.of("SER-1"));
            Machine machine = ((BootAdmission.Recorded) first.admission()).machine();
            assertEquals(MachineState.DISCOVERED, machine.state());
            assertEquals(Optional.of("SER-1"), machine.serial());
            String token = first.token().orElseThrow(() -> new AssertionError("a new machine boots the agent"));

            AgentBoot again = registry.recordAgentBoot(MAC, Optional.empty(), Optional.empty());
            assertTrue(again.token().isPresent(), "a known machine that boots the agent gets a fresh token");
            assertEquals(Optional.empty(), registry.registerAgent(MAC, token), "the fresh token revoked the first");
            assertTrue(registry.registerAgent(MAC, again.token().get()).isPresent());

            MacAddress past = MacAddress.parse("52:54:00:aa:bb:03");
            registry.recordAgentBoot(MacAddress.parse("52:54:00:aa:bb:04"), Optional.empty(), Optional.empty());
            assertEquals(new AgentBoot(new BootAdmission.OverUnregisteredCap(1), Optional.empty()),
                    registry.recordAgentBoot(past, Optional.empty(), Optional.empty()), "refused: no record, no token");

            registry.operatorSets(MAC, MachineState.PROVISIONED, Optional.of("installed by hand"));
            AgentBoot local = registry.recordAgentBoot(MAC, Optional.empty(), Optional.empty());
            assertEquals(Optional.empty(), local.token(), "a provisioned machine boots its disk: no token");
        }
    }

    @Test
    void aNewMachineWhoseRecordFailsGetsNoTokenAndLeavesItsTokenWriteEnded(@TempDir Path dir) throws Exception {
        try (JournalBootTokenStore tokens = JournalBootTokenStore.open(dir)) {
            JournalMachineStore store = JournalMachineStore.open(dir);
            store.close(); // its journal refuses every write from now on: the machine's record fails
            MachineRegistry registry = new MachineRegistry(store, tokens, true, java.util.Set.of(), Duration.ofHours(1),
                    CLOCK, 1, Duration.ofDays(1));
            java.io.IOException failed = assertThrows(java.io.IOException.class,
                    () -> registry.recordAgentBoot(MAC, Optional.empty(), Optional.empty()));
            assertTrue(failed.getMessage().contains("closed"), failed.getMessage());
            assertEquals(Optional.empty(), registry.machine(MAC), "not recorded");
            // The token's write, begun beside the record, was waited for and let go of the machine:
            // another thread's write of it goes ahead.
            Thread other = Thread.ofVirtual().start(() -> {
                try {
                    tokens.forget(MAC, CLOCK.instant());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            other.join(Duration.ofSeconds(60)); // a bound on a hang, never reached when it works
            assertFalse(other.isAlive(), "the token store kept the machine's lock");
        }
    }

    @Test
    void pastTheUnregisteredCapNewMachinesAreRefusedButKnownOnesStillBoot() throws Exception {
        MacAddress listed = MacAddress.parse("52:54:00:00:00:20");
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), new InMemoryBootTokenStore(), true,
                java.util.Set.of(listed), Duration.ofMinutes(30), CLOCK, 2, Duration.ofHours(24));
        MacAddress first = MacAddress.parse("52:54:00:00:00:21");
        MacAddress second = MacAddress.parse("52:54:00:00:00:22");
        assertTrue(registry.recordBoot(first, Optional.empty(), Optional.empty()) instanceof BootAdmission.Recorded);
        assertTrue(registry.recordBoot(second, Optional.empty(), Optional.empty()) instanceof BootAdmission.Recorded);
        assertEquals(new BootAdmission.OverUnregisteredCap(2),
                registry.recordBoot(MacAddress.parse("52:54:00:00:00:23"), Optional.empty(), Optional.empty()));
        assertEquals(2, registry.machines().size(), "the refused one is not recorded");
        assertTrue(registry.recordBoot(first, Optional.empty(), Optional.empty()) instanceof BootAdmission.Recorded,
                "a recorded machine is never held to the cap");
        assertTrue(registry.recordBoot(listed, Optional.empty(), Optional.empty()) instanceof BootAdmission.Recorded,
                "nor one the config lists");
        assertEquals(3, registry.unregistered());

        registry.registerAgent(first, registry.issueBootToken(first)).orElseThrow();
        assertEquals(2, registry.unregistered(), "registered: inspecting, no longer counted");
    }

    /**
     * A rack of exactly the cap, all new at once through the journals (group commit, each machine
     * under its own lock): every one is admitted and the next is refused. Before the cap waited
     * for machines in flight, one stored but not yet released counted twice and the storm of
     * 1,000 at the default cap of 1,000 lost a machine now and then.
     */
    @Test
    void aBurstOfExactlyTheCapIsAdmittedWhole(@TempDir Path dir) throws Exception {
        int cap = 300;
        try (JournalMachineStore store = JournalMachineStore.open(dir);
                JournalBootTokenStore tokens = JournalBootTokenStore.open(dir)) {
            MachineRegistry registry = new MachineRegistry(store, tokens, true, java.util.Set.of(),
                    Duration.ofMinutes(30), CLOCK, cap, Duration.ofHours(24));
            List<java.util.concurrent.Future<AgentBoot>> boots = new java.util.ArrayList<>();
            try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < cap; i++) {
                    MacAddress mac = MacAddress.parse(String.format("52:54:00:10:%02x:%02x", i >> 8, i & 0xff));
                    boots.add(executor.submit(() -> registry.recordAgentBoot(mac, Optional.empty(), Optional.empty())));
                }
            }
            for (var boot : boots) {
                assertTrue(boot.get().admission() instanceof BootAdmission.Recorded, String.valueOf(boot.get().admission()));
                assertTrue(boot.get().token().isPresent());
            }
            assertEquals(cap, registry.unregistered());
            assertEquals(new BootAdmission.OverUnregisteredCap(cap),
                    registry.recordBoot(MacAddress.parse("52:54:00:11:00:00"), Optional.empty(), Optional.empty()));
        }
    }

    @Test
    void machinesDiscoveredAndNeverRegisteredAreForgottenAfterTheExpiry() throws Exception {
        SteppedClock clock = new SteppedClock();
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), new InMemoryBootTokenStore(), true,
                java.util.Set.of(), Duration.ofMinutes(30), clock, 1000, Duration.ofMinutes(60));
        MacAddress registered = MacAddress.parse("52:54:00:00:00:31");
        MacAddress young = MacAddress.parse("52:54:00:00:00:32");
        registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
        registry.pxeBooted(registered, Optional.empty(), Optional.empty());
        registry.registerAgent(registered, registry.issueBootToken(registered)).orElseThrow();
        clock.advance(Duration.ofMinutes(30));
        registry.pxeBooted(young, Optional.empty(), Optional.empty());
        clock.advance(Duration.ofMinutes(30));
        assertEquals(List.of(), registry.forgetExpiredUnregistered(), "exactly the expiry: not yet");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(MAC), registry.forgetExpiredUnregistered());
        assertEquals(Optional.empty(), registry.machine(MAC));
        assertTrue(registry.machine(registered).isPresent(), "it registered: kept");
        assertTrue(registry.machine(young).isPresent(), "discovered 30 minutes ago: kept");
    }

    @Test
    void anExpiredMachinesUnusedBootTokenIsForgottenWithIt() throws Exception {
        SteppedClock clock = new SteppedClock();
        InMemoryBootTokenStore tokens = new InMemoryBootTokenStore();
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), tokens, true, java.util.Set.of(),
                Duration.ofMinutes(120), clock, 1000, Duration.ofMinutes(60));
        registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
        registry.issueBootToken(MAC);
        clock.advance(Duration.ofMinutes(61));
        assertEquals(List.of(MAC), registry.forgetExpiredUnregistered());
        assertFalse(tokens.holdsAnything(MAC));
    }

    @Test
    void aDeletedMachineIsGoneWithItsCredentialsAndComesBackAsANewOne(@TempDir Path dir) throws Exception {
        String credential;
        try (JournalMachineStore store = JournalMachineStore.open(dir);
                JournalBootTokenStore tokens = JournalBootTokenStore.open(dir)) {
            MachineRegistry registry = new MachineRegistry(store, tokens, true, java.util.Set.of(), Duration.ofMinutes(30),
                    CLOCK);
            registry.pxeBooted(MAC, Optional.empty(), Optional.of("SER-9"));
            credential = registry.registerAgent(MAC, registry.issueBootToken(MAC)).orElseThrow();
            registry.inventoried(MAC, "{\"hostname\":\"gone\"}");
            registry.setLabel(MAC, "rack", "r1");
            registry.startDeploy(MAC, new DeployRequest("d-1", "base", null, null, null, null, false));
            IllegalStateException midDeploy = assertThrows(IllegalStateException.class, () -> registry.delete(MAC));
            assertTrue(midDeploy.getMessage().contains("deploy d-1 runs"), midDeploy.getMessage());
            assertEquals(MachineState.PROVISIONING, registry.machine(MAC).orElseThrow().state(), "refused: kept");

            registry.operatorSets(MAC, MachineState.INSPECTING, Optional.of("abandon"));
            registry.delete(MAC);
            assertEquals(Optional.empty(), registry.machine(MAC));
            assertEquals(Optional.empty(), registry.agentSession(credential));
            assertThrows(IllegalStateException.class, () -> registry.delete(MAC), "no machine any more");
        }
        try (JournalMachineStore store = JournalMachineStore.open(dir);
                JournalBootTokenStore tokens = JournalBootTokenStore.open(dir)) {
            MachineRegistry registry = new MachineRegistry(store, tokens, true, java.util.Set.of(), Duration.ofMinutes(30),
                    CLOCK);
            assertEquals(Optional.empty(), registry.machine(MAC), "still gone after a reopen");
            assertEquals(Optional.empty(), registry.inventory(MAC));
            assertEquals(Optional.empty(), registry.deploy(MAC));
            assertEquals(Optional.empty(), registry.agentSession(credential), "its agent's credential too");
            Machine again = registry.pxeBooted(MAC, Optional.empty(), Optional.empty()).orElseThrow();
            assertEquals(MachineState.DISCOVERED, again.state());
            assertEquals(java.util.Map.of(), again.labels());
            assertEquals(Optional.empty(), again.serial());
            assertEquals(1, registry.history(MAC).size(), "a new machine: its history starts afresh");
        }
    }

    @Test
    void aReprovisionSendsAMachineWhoseDeployEndedBackToInspectionAndSpendsItsNodeCredential() throws Exception {
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), new InMemoryBootTokenStore(), true,
                java.util.Set.of(), Duration.ofMinutes(30), CLOCK);
        String node = provisionedWithNodeCredential(registry, MAC, "d-1");
        Machine back = registry.reprovision(MAC, Optional.of("new image"));
        assertEquals(MachineState.INSPECTING, back.state());
        Transition last = registry.history(MAC).getLast();
        assertEquals(Optional.of(MachineState.PROVISIONED), last.from());
        assertEquals("operator", last.cause());
        assertEquals(Optional.of("reprovision: new image"), last.reason());
        assertEquals(Optional.empty(), registry.node(node), "the old OS's report is no longer waited for");
        assertThrows(IllegalStateException.class, () -> registry.nodeReported(MAC, true, Optional.empty()));
        IllegalStateException inspecting = assertThrows(IllegalStateException.class,
                () -> registry.reprovision(MAC, Optional.empty()));
        assertTrue(inspecting.getMessage().contains("[failed, joined, provisioned]"), inspecting.getMessage());
        registry.inventoried(MAC, "{}");
        IllegalStateException available = assertThrows(IllegalStateException.class,
                () -> registry.reprovision(MAC, Optional.empty()));
        assertTrue(available.getMessage().contains("takes a deploy as it is"), available.getMessage());
        registry.startDeploy(MAC, new DeployRequest("d-2", "base", null, null, null, null, false));
        assertThrows(IllegalStateException.class, () -> registry.reprovision(MAC, Optional.empty()), "mid-deploy");
        registry.advance(MAC, MachineState.FAILED, "agent", Optional.of("deploy failed: disk gone"));
        assertEquals(MachineState.INSPECTING, registry.reprovision(MAC, Optional.empty()).state(), "failed: allowed");
        assertEquals(Optional.of("reprovision"), registry.history(MAC).getLast().reason());

        MacAddress joined = MacAddress.parse("52:54:00:00:00:51");
        provisionedWithNodeCredential(registry, joined, "d-3");
        registry.nodeReported(joined, true, Optional.empty());
        assertEquals(MachineState.INSPECTING, registry.reprovision(joined, Optional.empty()).state(), "joined: allowed");
    }

    @Test
    void aSecondRegistrationInOneBootIsRefusedWithAnAlertAndARebootRegisters() throws Exception {
        SteppedClock clock = new SteppedClock();
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), new InMemoryBootTokenStore(), true,
                java.util.Set.of(), Duration.ofMinutes(30), clock);
        registry.pxeBooted(MAC, Optional.empty(), Optional.empty());
        Optional<java.time.Instant> booted = Optional.of(clock.instant());
        clock.advance(Duration.ofSeconds(10));
        String credential = registry.registerAgent(MAC, registry.issueBootToken(MAC), booted).orElseThrow();
        clock.advance(Duration.ofSeconds(10));
        String stolen = registry.issueBootToken(MAC);
        assertEquals(Optional.empty(), registry.registerAgent(MAC, stolen, booted), "same boot: refused");
        assertEquals(Optional.of(MAC), registry.agentSession(credential), "the first agent keeps its session");
        List<Alert> alerts = registry.machine(MAC).orElseThrow().alerts();
        assertEquals(1, alerts.size());
        assertTrue(alerts.getFirst().message().contains("second agent registration"), alerts.toString());
        assertEquals(Optional.empty(), registry.registerAgent(MAC, "garbage", booted));
        assertEquals(1, registry.machine(MAC).orElseThrow().alerts().size(), "a wrong token raises no alert");

        clock.advance(Duration.ofSeconds(10));
        Optional<java.time.Instant> rebooted = Optional.of(clock.instant());
        clock.advance(Duration.ofSeconds(10));
        assertTrue(registry.registerAgent(MAC, stolen, rebooted).isPresent(),
                "after a new PXE boot the same (unused) token registers");
        assertEquals(Optional.empty(), registry.agentSession(credential));
    }

    /** A machine through the boot flow to provisioned, with deploy {@code id}; the node credential it was handed. */
    private static String provisionedWithNodeCredential(MachineRegistry registry, MacAddress mac, String id)
            throws Exception {
        registry.pxeBooted(mac, Optional.empty(), Optional.empty());
        registry.registerAgent(mac, registry.issueBootToken(mac)).orElseThrow();
        registry.inventoried(mac, "{}");
        assertEquals(Optional.empty(), registry.issueNodeCredential(mac, id), "no deploy running: none");
        registry.startDeploy(mac, new DeployRequest(id, "base", null, null, null, null, false), "metal3");
        assertEquals(Optional.empty(), registry.issueNodeCredential(mac, "another"), "not the running deploy: none");
        String node = registry.issueNodeCredential(mac, id).orElseThrow();
        registry.deploySucceeded(mac, id, new io.metalboot.machine.agent.DeployedDisk("/dev/vda", null, "sha256:00", 1,
                "gpt", null, List.of(), null));
        return node;
    }

    @Test
    void aNodeReportsWithItsOwnCredentialOnceAndLateNodesFail() throws Exception {
        SteppedClock clock = new SteppedClock();
        MachineRegistry registry = new MachineRegistry(new InMemoryMachineStore(), new InMemoryBootTokenStore(), true,
                java.util.Set.of(), Duration.ofMinutes(30), clock);
        MacAddress late = MacAddress.parse("52:54:00:00:00:41");
        MacAddress failing = MacAddress.parse("52:54:00:00:00:42");
        String node = provisionedWithNodeCredential(registry, MAC, "d-1");
        String lateNode = provisionedWithNodeCredential(registry, late, "d-2");
        String failingNode = provisionedWithNodeCredential(registry, failing, "d-3");
        assertEquals("metal3", registry.history(MAC).stream()
                .filter(t -> t.to() == MachineState.PROVISIONING).findFirst().orElseThrow().cause());
        assertEquals(Optional.of(MAC), registry.node(node));
        assertEquals(Optional.empty(), registry.agentSession(node), "not an agent credential");
        assertEquals(Optional.empty(), registry.node("garbage"));
        assertEquals(Optional.empty(), registry.node(null));

        assertEquals(MachineState.JOINED, registry.nodeReported(MAC, true, Optional.empty()).state());
        assertEquals(Optional.empty(), registry.node(node), "spent by its report");
        assertThrows(IllegalStateException.class, () -> registry.nodeReported(MAC, true, Optional.empty()));
        Machine failed = registry.nodeReported(failing, false, Optional.of("kubeadm join: [redacted]"));
        assertEquals(MachineState.FAILED, failed.state());
        assertEquals(Optional.of("kubeadm join: [redacted]"), failed.failureReason());
        assertEquals(Optional.empty(), registry.node(failingNode));

        clock.advance(Duration.ofMinutes(20));
        assertEquals(List.of(), registry.failUnreported(Duration.ofMinutes(20)), "exactly the timeout: not yet");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(late), registry.failUnreported(Duration.ofMinutes(20)));
        assertEquals(Optional.of("no report within 20 min of the deploy"), registry.machine(late).orElseThrow()
                .failureReason());
        assertEquals(Optional.empty(), registry.node(lateNode), "given up on: its credential is spent");
        assertEquals(MachineState.JOINED, registry.machine(MAC).orElseThrow().state(), "a joined node is left alone");
    }
}
