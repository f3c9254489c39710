package io.metalboot.agent.deploy.table;

import java.util.List;

/**
 * A disk's partition table as stored: GPT (from its primary header, or its backup when the
 * primary is damaged), an MBR ("dos"), or none. GUIDs are upper-case, as sfdisk prints them.
 *
 * @param headerLbas for GPT, the LBAs of the headers found valid (primary, backup); empty otherwise
 */
public record PartitionTable(Kind kind, String diskId, List<Partition> partitions, List<Long> headerLbas) {
    public enum Kind {
        GPT("gpt"), DOS("dos"), NONE("none");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** sfdisk's label: "gpt", "dos"; "none" without a table. */
        public String label() {
            return label;
        }
    }

    /** One partition: 1-based number, where it is in bytes, its type and (GPT) unique GUID. */
    public record Partition(int number, long startBytes, long sizeBytes, String type, String uuid, String name) {
        public long endBytes() {
            return startBytes + sizeBytes;
        }
    }

    public PartitionTable {
        partitions = List.copyOf(partitions);
        headerLbas = List.copyOf(headerLbas);
    }

    public static PartitionTable none() {
        return new PartitionTable(Kind.NONE, null, List.of(), List.of());
    }
}
