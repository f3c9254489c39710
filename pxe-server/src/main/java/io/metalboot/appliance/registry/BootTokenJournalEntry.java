package io.metalboot.appliance.registry;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/** One record of the boot-token journal, as JSON; only a token's SHA-256 is ever written. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = BootTokenJournalEntry.Issued.class, name = "token-issued"),
    @JsonSubTypes.Type(value = BootTokenJournalEntry.Redeemed.class, name = "token-redeemed"),
})
sealed interface BootTokenJournalEntry {
    String sha256();

    record Issued(String mac, String sha256, Instant at, Instant expires) implements BootTokenJournalEntry {
    }

    record Redeemed(String mac, String sha256, Instant at) implements BootTokenJournalEntry {
    }
}
