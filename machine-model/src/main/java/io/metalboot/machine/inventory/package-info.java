/**
 * A machine's hardware inventory as the agent reports it, in the names and shapes of OpenStack
 * ironic-python-agent's inventory ({@code ironic_python_agent/hardware.py}: {@code CPU},
 * {@code Memory}, {@code BlockDevice}, {@code NetworkInterface}, {@code SystemVendorInfo},
 * {@code SystemFirmware}, {@code BootInfo}, and {@code list_hardware_info}'s keys).
 *
 * <p>Record components are IPA's field names in Java camelCase; the JSON codec's snake_case naming
 * strategy gives IPA's names back ({@code wwnWithExtension} is {@code wwn_with_extension},
 * {@code ipv4Address} is {@code ipv4_address}). Each component's javadoc names its IPA field.
 *
 * <p>The conventions, the same in every record:
 * <ul>
 *   <li>Absent is {@code null}, as it is in IPA's JSON; no {@code Optional}. A component documented
 *       as required is never null and is checked in the constructor.</li>
 *   <li>Lists are copied ({@link java.util.List#copyOf}): a record never changes after it is built.
 *       A null list is taken as empty.</li>
 *   <li>MAC addresses and the SMBIOS UUID are held as text, in the one printed form
 *       {@link io.metalboot.machine.MacAddress} and {@link io.metalboot.machine.SmbiosUuid} give
 *       (they are parsed and printed again in the constructor), so that the JSON codec needs no
 *       serializer of ours.</li>
 * </ul>
 *
 * <p>Keys beyond IPA's are named plainly: {@link io.metalboot.machine.inventory.Inventory#smbiosUuid},
 * {@link io.metalboot.machine.inventory.Inventory#baseboard} and an interface's
 * {@link io.metalboot.machine.inventory.NetworkInterface#lldpNeighbour}. IPA keys not (yet) collected —
 * the per-core
 * {@code cpus} list, a disk's {@code uuid}/{@code partuuid} — are not in these records.
 */
package io.metalboot.machine.inventory;
