package io.metalboot.appliance.registry;

import io.metalboot.machine.MachineState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalMachineStoreTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:aa:bb:01");
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static Transition transition(Optional<MachineState> from, MachineState to, int second) {
        return new Transition(MAC, from, to, T0.plusSeconds(second), "test", Optional.of("step " + second));
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
    void tokensAreSingleUseExpireAndOnlyTheirHashIsStored(@TempDir Path dir) throws IOException {
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            store.record(transition(Optional.empty(), MachineState.DISCOVERED, 0));
            store.issueToken(MAC, "aa", T0.plusSeconds(60));
            store.issueToken(MAC, "bb", T0.plusSeconds(60));
            assertEquals(Optional.of(MAC), store.redeemToken("aa", T0.plusSeconds(10)));
            assertEquals(Optional.empty(), store.redeemToken("aa", T0.plusSeconds(11)), "single use");
            assertEquals(Optional.empty(), store.redeemToken("bb", T0.plusSeconds(61)), "expired");
            assertEquals(Optional.empty(), store.redeemToken("cc", T0.plusSeconds(1)), "unknown");
        }
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            assertFalse(store.redeemToken("aa", T0.plusSeconds(12)).isPresent(), "still used after restart");
            assertEquals(Optional.of(MAC), store.redeemToken("bb", T0.plusSeconds(30)));
        }
    }
}
