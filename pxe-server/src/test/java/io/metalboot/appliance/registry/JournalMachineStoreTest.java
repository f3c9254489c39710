package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.MachineState;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract, plus what only a journal must do: survive a reopen, a torn tail and a corrupt record. */
class JournalMachineStoreTest extends MachineStoreContract {
    @TempDir
    Path contractDir;

    @Override
    MachineStore openEmpty() throws IOException {
        return JournalMachineStore.open(contractDir);
    }

    @Override
    MachineStore reopened() throws IOException {
        store.close();
        return JournalMachineStore.open(contractDir);
    }

    private static Transition transition(Optional<MachineState> from, MachineState to, int second) {
        return transition(MAC, from, to, second);
    }

    /** Three records: discovered, inspecting, and an identity. */
    private static void writeThree(Path dir) throws IOException {
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            store.record(transition(Optional.empty(), MachineState.DISCOVERED, 0));
            store.record(transition(Optional.of(MachineState.DISCOVERED), MachineState.INSPECTING, 1));
            store.identify(MAC, Optional.of(UUID.fromString("11223344-5566-7788-99aa-bbccddeeff01")),
                    Optional.of("SER-1"), T0.plusSeconds(2));
        }
    }

    @Test
    void replaysMachinesAndHistoryAfterRestart(@TempDir Path dir) throws IOException {
        writeThree(dir);
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            Machine machine = store.machine(MAC).orElseThrow();
            assertEquals(MachineState.INSPECTING, machine.state());
            assertEquals("11223344-5566-7788-99aa-bbccddeeff01", machine.uuid().orElseThrow().toString());
            assertEquals("SER-1", machine.serial().orElseThrow());
            assertEquals(List.of(MachineState.DISCOVERED, MachineState.INSPECTING),
                    store.history(MAC).stream().map(Transition::to).toList());
            assertEquals(T0.plusSeconds(1), store.history(MAC).get(1).at());
            assertEquals("test", store.history(MAC).get(1).cause());
        }
    }

    @Test
    void aTornTailAtAnyByteIsReadUpToTheTear(@TempDir Path dir) throws IOException {
        Path two = dir.resolve("two");
        try (JournalMachineStore store = JournalMachineStore.open(two)) {
            store.record(transition(Optional.empty(), MachineState.DISCOVERED, 0));
            store.record(transition(Optional.of(MachineState.DISCOVERED), MachineState.INSPECTING, 1));
        }
        byte[] whole = Files.readAllBytes(two.resolve(JournalMachineStore.FILE_NAME));
        Path one = dir.resolve("one");
        try (JournalMachineStore store = JournalMachineStore.open(one)) {
            store.record(transition(Optional.empty(), MachineState.DISCOVERED, 0));
        }
        int firstRecordEnd = (int) Files.size(one.resolve(JournalMachineStore.FILE_NAME));

        for (int cut = firstRecordEnd; cut < whole.length; cut++) {
            Path torn = dir.resolve("torn-" + cut);
            Files.createDirectories(torn);
            Files.write(torn.resolve(JournalMachineStore.FILE_NAME), java.util.Arrays.copyOf(whole, cut));
            try (JournalMachineStore store = JournalMachineStore.open(torn)) {
                assertEquals(MachineState.DISCOVERED, store.machine(MAC).orElseThrow().state(), "cut at " + cut);
                assertEquals(1, store.history(MAC).size());
                // and the journal goes on cleanly after the cut
                store.record(transition(Optional.of(MachineState.DISCOVERED), MachineState.INSPECTING, 9));
            }
            try (JournalMachineStore store = JournalMachineStore.open(torn)) {
                assertEquals(2, store.history(MAC).size(), "cut at " + cut);
            }
            if (cut > firstRecordEnd) {
                try (Stream<Path> files = Files.list(torn)) {
                    assertTrue(files.anyMatch(f -> f.getFileName().toString().contains(".torn-")),
                            "the cut bytes are kept as evidence");
                }
            }
        }
    }

    @Test
    void aCorruptRecordIsNeverReadAsAMachine(@TempDir Path dir) throws IOException {
        writeThree(dir);
        Path file = dir.resolve(JournalMachineStore.FILE_NAME);
        long size = Files.size(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            channel.read(b, size - 3);
            b.flip();
            byte flipped = (byte) (b.get() ^ 0x20);
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {flipped}), size - 3);
        }
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            Machine machine = store.machine(MAC).orElseThrow();
            assertEquals(MachineState.INSPECTING, machine.state());
            assertTrue(machine.serial().isEmpty(), "the corrupt identity record was not applied");
        }
    }

    @Test
    void labelsAreStillThereAfterAReopen(@TempDir Path dir) throws IOException {
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            store.record(transition(Optional.empty(), MachineState.DISCOVERED, 0));
            store.setLabel(MAC, "rack", "7", T0.plusSeconds(1));
            store.setLabel(MAC, "metalboot.io/role", "worker", T0.plusSeconds(2));
            store.setLabel(MAC, "zone", "a", T0.plusSeconds(3));
            store.removeLabel(MAC, "zone", T0.plusSeconds(4));
        }
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            assertEquals(java.util.Map.of("rack", "7", "metalboot.io/role", "worker"),
                    store.machine(MAC).orElseThrow().labels());
        }
    }

    @Test
    void aJournalFromBeforeTheTokenSplitStillLoadsItsMachines(@TempDir Path dir) throws IOException {
        // Records as the single machines.journal held them before boot tokens had a journal of their own.
        try (RecordJournal old = RecordJournal.open(dir.resolve(JournalMachineStore.FILE_NAME), record -> { })) {
            for (String json : List.of(
                    "{\"type\":\"state\",\"mac\":\"52:54:00:aa:bb:01\",\"from\":null,\"to\":\"discovered\","
                            + "\"at\":1795600000.000000000,\"cause\":\"pxe-boot\",\"reason\":null}",
                    "{\"type\":\"token-issued\",\"mac\":\"52:54:00:aa:bb:01\",\"sha256\":\"aa\","
                            + "\"expires\":1795603600.000000000}",
                    "{\"type\":\"token-redeemed\",\"mac\":\"52:54:00:aa:bb:01\",\"sha256\":\"aa\","
                            + "\"at\":1795600010.000000000}",
                    "{\"type\":\"identity\",\"mac\":\"52:54:00:aa:bb:01\",\"uuid\":null,\"serial\":\"SER-9\","
                            + "\"at\":1795600020.000000000}")) {
                old.append(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            Machine machine = store.machine(MAC).orElseThrow();
            assertEquals(MachineState.DISCOVERED, machine.state());
            assertEquals(Optional.of("SER-9"), machine.serial());
            assertEquals(1, store.history(MAC).size());
        }
    }
}
