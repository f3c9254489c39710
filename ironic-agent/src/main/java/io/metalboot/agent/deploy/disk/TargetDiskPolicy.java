package io.metalboot.agent.deploy.disk;

import io.metalboot.machine.inventory.Disk;
import java.util.List;

/**
 * Which disks the agent may write an image to, beyond the hints: an allow list and a deny list of
 * devices, each entry a kernel name ("sda", "loop0", "cciss/c0d0"), a device node ("/dev/sda") or a
 * udev by-path link ("/dev/disk/by-path/pci-0000:00:04.0"), which matches the disk whose
 * {@code by_path} it is.
 *
 * <p>The ramdisk sets neither ({@link #NONE}): every disk is a candidate but loop devices and
 * removable media. Tests set an allow list: then only the disks on it are candidates, and a loop
 * device or removable disk on it is one. A disk on the deny list is never a candidate, even when
 * it is on the allow list too.
 *
 * @param allow the only disks that may be chosen, when not empty; normalised to /dev paths
 * @param deny  disks never chosen; normalised to /dev paths
 */
public record TargetDiskPolicy(List<String> allow, List<String> deny) {
    /** No lists: the ramdisk's policy. */
    public static final TargetDiskPolicy NONE = new TargetDiskPolicy(List.of(), List.of());

    public TargetDiskPolicy {
        allow = allow.stream().map(TargetDiskPolicy::device).toList();
        deny = deny.stream().map(TargetDiskPolicy::device).toList();
    }

    /** Only these disks (a test's loop devices, a lab VM's scratch disk). */
    public static TargetDiskPolicy allowOnly(String... devices) {
        return new TargetDiskPolicy(List.of(devices), List.of());
    }

    /** Every disk but these (and loop devices and removable media). */
    public static TargetDiskPolicy denying(String... devices) {
        return new TargetDiskPolicy(List.of(), List.of(devices));
    }

    /** This policy with the deny list replaced. */
    public TargetDiskPolicy withDeny(String... devices) {
        return new TargetDiskPolicy(allow, List.of(devices));
    }

    /** On the allow list (explicitly allowed; says nothing when the list is empty). */
    public boolean allowListed(Disk disk) {
        return onList(allow, disk);
    }

    public boolean denyListed(Disk disk) {
        return onList(deny, disk);
    }

    private static boolean onList(List<String> list, Disk disk) {
        return list.contains(disk.name()) || (disk.byPath() != null && list.contains(disk.byPath()));
    }

    private static String device(String entry) {
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("a target-disk allow or deny entry names a device, not '" + entry + "'");
        }
        String device = entry.strip();
        if (device.startsWith("/")) {
            if (!device.startsWith("/dev/") || device.length() == "/dev/".length()) {
                throw new IllegalArgumentException("a target-disk allow or deny entry is a device under /dev/ or a"
                        + " kernel name, not '" + entry + "'");
            }
            return device;
        }
        return "/dev/" + device;
    }
}
