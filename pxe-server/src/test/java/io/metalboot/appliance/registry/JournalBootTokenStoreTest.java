package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract, plus what only a journal must do: tokens and their use survive a reopen and a torn tail. */
class JournalBootTokenStoreTest extends BootTokenStoreContract {
    @TempDir
    Path contractDir;

    @Override
    BootTokenStore openEmpty() throws IOException {
        return JournalBootTokenStore.open(contractDir);
    }

    @Override
    BootTokenStore reopened() throws IOException {
        store.close();
        return JournalBootTokenStore.open(contractDir);
    }

    @Test
    void aUsedTokenStaysUsedItsSessionOpenAndAnUnusedOneGoodAfterAReopen(@TempDir Path dir) throws IOException {
        try (JournalBootTokenStore tokens = JournalBootTokenStore.open(dir)) {
            tokens.issue(MAC, "aa", T0, T0.plusSeconds(60));
            assertTrue(tokens.exchange(MAC, "aa", "s1", T0.plusSeconds(10)));
            tokens.issue(MAC, "bb", T0.plusSeconds(11), T0.plusSeconds(60));
        }
        try (JournalBootTokenStore tokens = JournalBootTokenStore.open(dir)) {
            assertFalse(tokens.exchange(MAC, "aa", "s2", T0.plusSeconds(12)), "still used after restart");
            assertEquals(Optional.of(MAC), tokens.session("s1"), "the session is still open after restart");
            assertTrue(tokens.exchange(MAC, "bb", "s3", T0.plusSeconds(30)));
        }
        String journal = Files.readString(dir.resolve(JournalBootTokenStore.FILE_NAME), StandardCharsets.ISO_8859_1);
        assertTrue(journal.contains("\"sha256\":\"aa\""));
    }

    @Test
    void aTornExchangeIsReadUpToTheTear(@TempDir Path dir) throws IOException {
        Path whole = dir.resolve("whole");
        try (JournalBootTokenStore tokens = JournalBootTokenStore.open(whole)) {
            tokens.issue(MAC, "aa", T0, T0.plusSeconds(60));
        }
        long issuedEnd = Files.size(whole.resolve(JournalBootTokenStore.FILE_NAME));
        try (JournalBootTokenStore tokens = JournalBootTokenStore.open(whole)) {
            tokens.exchange(MAC, "aa", "s1", T0.plusSeconds(1));
        }
        byte[] bytes = Files.readAllBytes(whole.resolve(JournalBootTokenStore.FILE_NAME));
        for (int cut = (int) issuedEnd; cut < bytes.length; cut++) {
            Path torn = dir.resolve("torn-" + cut);
            Files.createDirectories(torn);
            Files.write(torn.resolve(JournalBootTokenStore.FILE_NAME), Arrays.copyOf(bytes, cut));
            try (JournalBootTokenStore tokens = JournalBootTokenStore.open(torn)) {
                // The exchange never became durable, so it was never acknowledged: the token is still good.
                assertEquals(Optional.empty(), tokens.session("s1"), "cut at " + cut);
                assertTrue(tokens.exchange(MAC, "aa", "s2", T0.plusSeconds(2)), "cut at " + cut);
            }
        }
    }

    @Test
    void forgettingAMachineThatHoldsNothingWritesNothing(@TempDir Path dir) throws IOException {
        try (JournalBootTokenStore tokens = JournalBootTokenStore.open(dir)) {
            tokens.issue(MAC, "aa", T0, T0.plusSeconds(60));
            long size = Files.size(dir.resolve(JournalBootTokenStore.FILE_NAME));
            tokens.forget(OTHER, T0.plusSeconds(1));
            assertEquals(size, Files.size(dir.resolve(JournalBootTokenStore.FILE_NAME)));
            tokens.forget(MAC, T0.plusSeconds(2));
            assertTrue(Files.size(dir.resolve(JournalBootTokenStore.FILE_NAME)) > size);
        }
    }
}
