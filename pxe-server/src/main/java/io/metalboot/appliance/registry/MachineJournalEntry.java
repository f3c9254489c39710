package io.metalboot.appliance.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.metalboot.machine.agent.DeployedDisk;
import java.time.Instant;
import java.util.Map;

/** One record of the machine journal, as JSON. Machines are rebuilt by replaying these in order. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MachineJournalEntry.StateChanged.class, name = "state"),
    @JsonSubTypes.Type(value = MachineJournalEntry.IdentitySeen.class, name = "identity"),
    @JsonSubTypes.Type(value = MachineJournalEntry.LabelSet.class, name = "label-set"),
    @JsonSubTypes.Type(value = MachineJournalEntry.LabelRemoved.class, name = "label-removed"),
    @JsonSubTypes.Type(value = MachineJournalEntry.InventoryStored.class, name = "inventory"),
    @JsonSubTypes.Type(value = MachineJournalEntry.AlertRaised.class, name = "alert"),
    @JsonSubTypes.Type(value = MachineJournalEntry.Forgotten.class, name = "forgotten"),
    @JsonSubTypes.Type(value = MachineJournalEntry.DeployStarted.class, name = "deploy-started"),
    @JsonSubTypes.Type(value = MachineJournalEntry.DeploySucceeded.class, name = "deploy-succeeded"),
    @JsonSubTypes.Type(value = MachineJournalEntry.RetiredTokenRecord.class,
            names = {"token-issued", "token-redeemed"}),
})
sealed interface MachineJournalEntry {
    String mac();

    /** A machine's first record (from = null) or a change of its state. */
    record StateChanged(String mac, String from, String to, Instant at, String cause, String reason)
            implements MachineJournalEntry {
    }

    /** The SMBIOS UUID and/or serial, once seen. */
    record IdentitySeen(String mac, String uuid, String serial, Instant at) implements MachineJournalEntry {
    }

    /** A label set or replaced. */
    record LabelSet(String mac, String key, String value, Instant at) implements MachineJournalEntry {
    }

    /** A label removed. */
    record LabelRemoved(String mac, String key, Instant at) implements MachineJournalEntry {
    }

    /** The inventory the agent sent, as the JSON it sent (already checked to parse). */
    record InventoryStored(String mac, String inventory, Instant at) implements MachineJournalEntry {
    }

    /** An alert added to the machine's record. */
    record AlertRaised(String mac, String message, Instant at) implements MachineJournalEntry {
    }

    /**
     * The machine was forgotten (an operator deleted it, or it was discovered and never registered
     * until the expiry): everything of it before is gone.
     */
    record Forgotten(String mac, Instant at) implements MachineJournalEntry {
    }

    /**
     * A deploy asked for, and the machine's move to provisioning for it (one record: neither is
     * ever stored without the other). No signed URL in it: those are minted when the agent is told.
     */
    record DeployStarted(String mac, String from, Instant at, String cause, String reason, String deployId, String image,
            String url, String checksum, String format, Map<String, Object> rootDeviceHints, boolean readBack)
            implements MachineJournalEntry {
    }

    /** The agent's verified write, as it described the disk, and the machine's move to provisioned. */
    record DeploySucceeded(String mac, String deployId, DeployedDisk disk, Instant at, String cause, String reason)
            implements MachineJournalEntry {
    }

    /**
     * A boot-token record in a journal written before tokens had one of their own
     * ({@link BootTokenJournalEntry}): read so that the machines around it still load, then skipped.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RetiredTokenRecord(String mac) implements MachineJournalEntry {
    }
}
