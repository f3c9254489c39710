package io.metalboot.appliance.registry;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/** One record of the boot-token journal, as JSON; only hashes of tokens and credentials are ever written. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = BootTokenJournalEntry.Issued.class, name = "token-issued"),
    @JsonSubTypes.Type(value = BootTokenJournalEntry.Exchanged.class, name = "token-exchanged"),
    @JsonSubTypes.Type(value = BootTokenJournalEntry.NodeIssued.class, name = "node-credential-issued"),
    @JsonSubTypes.Type(value = BootTokenJournalEntry.NodeRevoked.class, name = "node-credential-revoked"),
    @JsonSubTypes.Type(value = BootTokenJournalEntry.MachineForgotten.class, name = "machine-forgotten"),
})
sealed interface BootTokenJournalEntry {
    String mac();

    record Issued(String mac, String sha256, Instant at, Instant expires) implements BootTokenJournalEntry {
    }

    /** A token used up, and the session credential it opened. */
    record Exchanged(String mac, String sha256, String credentialSha256, Instant at) implements BootTokenJournalEntry {
    }

    record NodeIssued(String mac, String sha256, Instant at) implements BootTokenJournalEntry {
    }

    record NodeRevoked(String mac, Instant at) implements BootTokenJournalEntry {
    }

    /** The machine was forgotten: its boot token, session and node credential all end here. */
    record MachineForgotten(String mac, Instant at) implements BootTokenJournalEntry {
    }
}
