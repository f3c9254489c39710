package io.metalboot.appliance.registry;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/** One record of the machine journal, as JSON. Machines are rebuilt by replaying these in order. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = JournalEntry.StateChanged.class, name = "state"),
    @JsonSubTypes.Type(value = JournalEntry.IdentitySeen.class, name = "identity"),
    @JsonSubTypes.Type(value = JournalEntry.BootTokenIssued.class, name = "token-issued"),
    @JsonSubTypes.Type(value = JournalEntry.BootTokenRedeemed.class, name = "token-redeemed"),
})
sealed interface JournalEntry {
    String mac();

    /** A machine's first record (from = null) or a change of its state. */
    record StateChanged(String mac, String from, String to, Instant at, String cause, String reason)
            implements JournalEntry {
    }

    /** The SMBIOS UUID and/or serial, once seen. */
    record IdentitySeen(String mac, String uuid, String serial, Instant at) implements JournalEntry {
    }

    /** A boot token handed out; only its SHA-256 is ever stored. */
    record BootTokenIssued(String mac, String sha256, Instant expires) implements JournalEntry {
    }

    /** A boot token used up. */
    record BootTokenRedeemed(String mac, String sha256, Instant at) implements JournalEntry {
    }
}
