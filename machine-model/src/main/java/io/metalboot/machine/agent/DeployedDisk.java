package io.metalboot.machine.agent;

import java.util.List;

/**
 * What a verified write left on the disk, as the agent read it back from the device after the
 * kernel re-read its partition table.
 *
 * @param disk           the device written, such as /dev/vdc
 * @param serial         its serial, when it has one
 * @param sourceChecksum the checksum of the source bytes as served (it matched the instructions')
 * @param imageBytes     the image's virtual size: the bytes of the disk it covers
 * @param tableType      "gpt", "dos", or "none"
 * @param diskGuid       the GPT disk GUID (a dos table's disk identifier as "0x" and 8 hex digits, as
 *                       sfdisk prints it); null without a table
 * @param partitions     the new table's partitions
 * @param rootPartition  the partition holding {@code /}, where it could be identified; else null
 */
public record DeployedDisk(String disk, String serial, String sourceChecksum, long imageBytes, String tableType,
        String diskGuid, List<DeployedPartition> partitions, String rootPartition) {
    public DeployedDisk {
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
    }
}
