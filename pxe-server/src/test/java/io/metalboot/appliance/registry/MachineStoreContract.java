package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MachineStore} must do. Each implementation's test extends this and says how
 * to open a fresh store; a later Kubernetes-backed store runs the same cases.
 */
abstract class MachineStoreContract {
    static final MacAddress MAC = MacAddress.parse("52:54:00:aa:bb:01");
    static final MacAddress OTHER = MacAddress.parse("52:54:00:aa:bb:02");
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    MachineStore store;

    /** A new, empty store. */
    abstract MachineStore openEmpty() throws IOException;

    /** The store as a restart finds it (a journal replayed); one kept in memory only is itself. */
    MachineStore reopened() throws IOException {
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

    static Transition transition(MacAddress mac, Optional<MachineState> from, MachineState to, int second) {
        return new Transition(mac, from, to, T0.plusSeconds(second), "test", Optional.of("step " + second));
    }

    @Test
    void machinesAreCountedPerStateAsTheyChange() throws IOException {
        store.record(transition(MAC, Optional.empty(), MachineState.DISCOVERED, 0));
        store.record(transition(OTHER, Optional.empty(), MachineState.DISCOVERED, 1));
        assertEquals(2, store.count(MachineState.DISCOVERED));
        store.record(transition(MAC, Optional.of(MachineState.DISCOVERED), MachineState.INSPECTING, 2));
        store.setLabel(MAC, "rack", "r1", T0.plusSeconds(3));
        assertEquals(1, store.count(MachineState.DISCOVERED));
        assertEquals(1, store.count(MachineState.INSPECTING));
        store.forget(OTHER, T0.plusSeconds(4));
        assertEquals(0, store.count(MachineState.DISCOVERED), "a forgotten machine is counted nowhere");

        store = reopened();
        assertEquals(0, store.count(MachineState.DISCOVERED));
        assertEquals(1, store.count(MachineState.INSPECTING));
        assertEquals(0, store.count(MachineState.AVAILABLE));
    }

    @Test
    void historyIsKeptInOrderPerMachine() throws IOException {
        store.record(transition(MAC, Optional.empty(), MachineState.DISCOVERED, 0));
        store.record(transition(OTHER, Optional.empty(), MachineState.DISCOVERED, 1));
        store.record(transition(MAC, Optional.of(MachineState.DISCOVERED), MachineState.INSPECTING, 2));
        store.record(transition(MAC, Optional.of(MachineState.INSPECTING), MachineState.FAILED, 3));
        store.record(transition(MAC, Optional.of(MachineState.FAILED), MachineState.PROVISIONING, 4));

        assertEquals(List.of(MachineState.DISCOVERED, MachineState.INSPECTING, MachineState.FAILED,
                MachineState.PROVISIONING), store.history(MAC).stream().map(Transition::to).toList());
        assertEquals(List.of("step 0", "step 2", "step 3", "step 4"),
                store.history(MAC).stream().map(t -> t.reason().orElseThrow()).toList());
        assertEquals(List.of(MachineState.DISCOVERED), store.history(OTHER).stream().map(Transition::to).toList());
        assertEquals(List.of(), store.history(MacAddress.parse("52:54:00:aa:bb:03")));

        Machine machine = store.machine(MAC).orElseThrow();
        assertEquals(MachineState.PROVISIONING, machine.state());
        assertEquals(T0.plusSeconds(4), machine.since());
        assertEquals(Optional.empty(), machine.failureReason(), "a reason stays only while failed");
        assertEquals(List.of(MAC, OTHER), store.machines().stream().map(Machine::mac).toList());
    }

    @Test
    void aFailedMachineKeepsItsReason() throws IOException {
        store.record(transition(MAC, Optional.empty(), MachineState.DISCOVERED, 0));
        store.record(transition(MAC, Optional.of(MachineState.DISCOVERED), MachineState.FAILED, 1));
        assertEquals(Optional.of("step 1"), store.machine(MAC).orElseThrow().failureReason());
    }

    @Test
    void labelsAreSetReplacedAndRemoved() throws IOException {
        store.record(transition(MAC, Optional.empty(), MachineState.DISCOVERED, 0));
        store.setLabel(MAC, "rack", "7", T0.plusSeconds(1));
        store.setLabel(MAC, "metalboot.io/role", "worker", T0.plusSeconds(2));
        assertEquals(Map.of("rack", "7", "metalboot.io/role", "worker"), store.machine(MAC).orElseThrow().labels());

        Machine replaced = store.setLabel(MAC, "rack", "8", T0.plusSeconds(3));
        assertEquals(Map.of("rack", "8", "metalboot.io/role", "worker"), replaced.labels());

        Machine removed = store.removeLabel(MAC, "rack", T0.plusSeconds(4));
        assertEquals(Map.of("metalboot.io/role", "worker"), removed.labels());
        assertEquals(removed, store.removeLabel(MAC, "rack", T0.plusSeconds(5)), "removing a missing label: no change");
        assertEquals(Map.of("metalboot.io/role", "worker"), store.machine(MAC).orElseThrow().labels());

        store.record(transition(MAC, Optional.of(MachineState.DISCOVERED), MachineState.INSPECTING, 6));
        assertEquals(Map.of("metalboot.io/role", "worker"), store.machine(MAC).orElseThrow().labels(),
                "a state change keeps the labels");
        assertEquals(2, store.history(MAC).size(), "labels are not state transitions");
    }

    @Test
    void theIdentityIsAddedOnceSeenAndKeptWhenNotSeenAgain() throws IOException {
        UUID uuid = UUID.fromString("11223344-5566-7788-99aa-bbccddeeff01");
        store.record(transition(MAC, Optional.empty(), MachineState.DISCOVERED, 0));
        store.identify(MAC, Optional.of(uuid), Optional.empty(), T0.plusSeconds(1));
        Machine machine = store.identify(MAC, Optional.empty(), Optional.of("SER-1"), T0.plusSeconds(2));
        assertEquals(Optional.of(uuid), machine.uuid());
        assertEquals(Optional.of("SER-1"), machine.serial());
        assertEquals(Optional.of("SER-1"),
                store.identify(MAC, Optional.empty(), Optional.of("  "), T0.plusSeconds(3)).serial(),
                "a blank serial is not a serial");
    }

    @Test
    void alertsAreKeptInOrderOnTheMachinesRecord() throws IOException {
        store.record(transition(MAC, Optional.empty(), MachineState.DISCOVERED, 0));
        store.alert(MAC, "first", T0.plusSeconds(1));
        Machine alerted = store.alert(MAC, "second", T0.plusSeconds(2));
        assertEquals(List.of(new Alert(T0.plusSeconds(1), "first"), new Alert(T0.plusSeconds(2), "second")),
                alerted.alerts());
        store.record(transition(MAC, Optional.of(MachineState.DISCOVERED), MachineState.INSPECTING, 3));
        store = reopened();
        assertEquals(List.of("first", "second"), store.machine(MAC).orElseThrow().alerts().stream()
                .map(Alert::message).toList(), "kept across a state change and a reopen");
        assertEquals(1 + 1, store.history(MAC).size(), "alerts are not state transitions");
        assertThrows(IllegalStateException.class, () -> store.alert(OTHER, "x", T0));
    }

    @Test
    void aForgottenMachineIsGoneWithItsHistoryAndTheOthersStay() throws IOException {
        store.record(transition(MAC, Optional.empty(), MachineState.DISCOVERED, 0));
        store.setLabel(MAC, "rack", "7", T0.plusSeconds(1));
        store.record(transition(OTHER, Optional.empty(), MachineState.DISCOVERED, 2));
        store.forget(MAC, T0.plusSeconds(3));
        store = reopened();
        assertEquals(Optional.empty(), store.machine(MAC));
        assertEquals(List.of(), store.history(MAC));
        assertEquals(List.of(OTHER), store.machines().stream().map(Machine::mac).toList());
        assertThrows(IllegalStateException.class, () -> store.forget(MAC, T0.plusSeconds(4)));

        store.record(transition(MAC, Optional.empty(), MachineState.DISCOVERED, 5));
        store = reopened();
        Machine again = store.machine(MAC).orElseThrow();
        assertEquals(Map.of(), again.labels(), "discovered anew: nothing of before");
        assertEquals(1, store.history(MAC).size());
    }

    @Test
    void aMachineItDoesNotHaveIsRefusedByName() {
        IllegalStateException identify = assertThrows(IllegalStateException.class,
                () -> store.identify(MAC, Optional.empty(), Optional.of("S"), T0));
        assertEquals("no machine 52:54:00:aa:bb:01", identify.getMessage());
        assertThrows(IllegalStateException.class, () -> store.setLabel(MAC, "rack", "7", T0));
        assertThrows(IllegalStateException.class, () -> store.removeLabel(MAC, "rack", T0));
        assertEquals(Optional.empty(), store.machine(MAC));
    }

    @Test
    void aDeployIsStoredWithItsMovesAndItsDiskSurvives() throws IOException {
        store.record(transition(MAC, Optional.empty(), MachineState.DISCOVERED, 0));
        store.record(transition(MAC, Optional.of(MachineState.DISCOVERED), MachineState.AVAILABLE, 1));
        DeployRequest request = new DeployRequest("d-1", "base", null, null, null, Map.of("serial", "S-1"), true);
        store.startDeploy(transition(MAC, Optional.of(MachineState.AVAILABLE), MachineState.PROVISIONING, 2), request);
        assertEquals(Deploy.Outcome.RUNNING, store.deploy(MAC).orElseThrow().outcome());
        io.metalboot.machine.agent.DeployedDisk disk = new io.metalboot.machine.agent.DeployedDisk("/dev/vdc", "S-1",
                "sha256:" + "a".repeat(64), 4096, "gpt", "guid", List.of(new io.metalboot.machine.agent.DeployedPartition(
                        1, "/dev/vdc1", true, "p", "t", 1048576, 2048)), "/dev/vdc1");
        assertThrows(IllegalStateException.class, () -> store.deployed(transition(MAC,
                Optional.of(MachineState.PROVISIONING), MachineState.PROVISIONED, 3), "d-2", disk), "another deploy");
        store.deployed(transition(MAC, Optional.of(MachineState.PROVISIONING), MachineState.PROVISIONED, 3), "d-1", disk);
        store.record(transition(OTHER, Optional.empty(), MachineState.DISCOVERED, 4));
        store.startDeploy(transition(OTHER, Optional.of(MachineState.DISCOVERED), MachineState.PROVISIONING, 5),
                new DeployRequest("d-3", null, "http://h/x.raw?sig=s", "sha256:" + "b".repeat(64), "raw", Map.of(), false));
        store.record(transition(OTHER, Optional.of(MachineState.PROVISIONING), MachineState.FAILED, 6));

        store = reopened();
        Deploy done = store.deploy(MAC).orElseThrow();
        assertEquals(request, done.request());
        assertEquals(Deploy.Outcome.SUCCEEDED, done.outcome());
        assertEquals(Optional.of(disk), done.disk());
        assertEquals(T0.plusSeconds(2), done.requestedAt());
        assertEquals(MachineState.PROVISIONED, store.machine(MAC).orElseThrow().state());
        assertEquals(List.of(MachineState.DISCOVERED, MachineState.AVAILABLE, MachineState.PROVISIONING,
                MachineState.PROVISIONED), store.history(MAC).stream().map(Transition::to).toList());
        assertEquals(Deploy.Outcome.FAILED, store.deploy(OTHER).orElseThrow().outcome());
        assertEquals("http://h/x.raw?…", store.deploy(OTHER).orElseThrow().request().imageForDisplay());
        store.forget(OTHER, T0.plusSeconds(7));
        assertEquals(Optional.empty(), store.deploy(OTHER));
    }
}
