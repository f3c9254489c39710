package io.metalboot.machine.agent;

/**
 * One partition of a written disk.
 *
 * @param number        1-based, as the kernel numbers it
 * @param node          its device node, such as /dev/vdc1
 * @param nodeSeen      whether that node existed when the agent reported it
 * @param partitionGuid GPT's unique partition GUID (dos: null)
 * @param typeGuid      GPT's partition type GUID (dos: the type byte as two hex digits)
 * @param startBytes    where it starts on the disk
 * @param sizeBytes     its length
 */
public record DeployedPartition(int number, String node, boolean nodeSeen, String partitionGuid, String typeGuid,
        long startBytes, long sizeBytes) {
}
