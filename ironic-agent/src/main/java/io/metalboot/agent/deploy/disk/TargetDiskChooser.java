package io.metalboot.agent.deploy.disk;

import io.metalboot.agent.deploy.disk.TargetDiskException.Candidate;
import io.metalboot.agent.deploy.disk.TargetDiskException.Reason;
import io.metalboot.machine.inventory.Disk;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The disk the image goes to, as ironic-python-agent's {@code get_os_install_device} picks it, with
 * metalboot's safety rules first.
 * <ol>
 * <li>Candidates: every disk but those on the policy's deny list; when its allow list is not empty,
 *     only the disks on it; loop devices ({@code /dev/loop*}) and removable media only when the
 *     allow list names them. (IPA has no such rule: its inventory holds no loop devices, and it keeps
 *     removable ones.)
 * <li>With hints: the first candidate, in the order given (IPA: lsblk's), that satisfies them all
 *     ({@code match_root_device_hints}). The hints are not combined with a minimum size.
 * <li>Without: the candidates ordered by size, then name, and the first of at least 4 GiB
 *     ({@code utils.guess_root_disk}, its {@code min_size_required=4 * units.Gi}).
 * <li>The chosen disk must hold the image's virtual size; if it does not, the choice is refused
 *     (no other disk is tried: hints or the default named that one).
 * </ol>
 */
public final class TargetDiskChooser {
    /** IPA's minimum for a disk chosen without hints: 4 GiB. */
    public static final long MIN_DISK_SIZE = 4L << 30;

    private TargetDiskChooser() {
    }

    /**
     * @param disks            the machine's disks (its inventory's), in the order the agent lists them
     * @param hints            the node's root-device hints; empty (or {@link RootDeviceHints#NONE})
     *                         for the default choice
     * @param imageVirtualSize bytes the image needs on the disk (its virtual size), at least 0
     * @param policy           the allow and deny lists
     * @return the disk to write
     * @throws TargetDiskException when no candidate fits, listing every disk and why
     */
    public static Disk choose(List<Disk> disks, Optional<RootDeviceHints> hints, long imageVirtualSize,
            TargetDiskPolicy policy) throws TargetDiskException {
        Objects.requireNonNull(disks, "disks");
        Objects.requireNonNull(hints, "hints");
        Objects.requireNonNull(policy, "policy");
        if (imageVirtualSize < 0) {
            throw new IllegalArgumentException("an image's virtual size is at least 0 bytes, not " + imageVirtualSize);
        }
        Map<Disk, String> verdicts = new LinkedHashMap<>();
        List<Disk> candidates = new ArrayList<>();
        for (Disk disk : disks) {
            String excluded = excluded(disk, policy);
            verdicts.put(disk, excluded);
            if (excluded == null) {
                candidates.add(disk);
            }
        }
        RootDeviceHints given = hints.filter(h -> !h.isEmpty()).orElse(null);
        String how = given == null ? "no root-device hints" : "root-device hints " + given;
        if (candidates.isEmpty()) {
            throw new TargetDiskException(Reason.NO_CANDIDATE, "no disk may be written (" + how + ", "
                    + describe(policy) + ")", list(verdicts));
        }
        Disk chosen = given == null ? smallestOfMinimumSize(candidates, verdicts)
                : firstMatching(candidates, given, verdicts);
        if (chosen == null) {
            throw given == null
                    ? new TargetDiskException(Reason.NO_DISK_LARGE_ENOUGH, "no root-device hints, and no disk of at"
                            + " least " + describeSize(MIN_DISK_SIZE) + " to choose", list(verdicts))
                    : new TargetDiskException(Reason.NO_DISK_MATCHES_HINTS, "no disk matches the " + how,
                            list(verdicts));
        }
        if (chosen.size() < imageVirtualSize) {
            verdicts.put(chosen, "chosen, and too small for the image");
            throw new TargetDiskException(Reason.IMAGE_LARGER_THAN_DISK, "the image needs "
                    + describeSize(imageVirtualSize) + " and " + chosen.name() + ", the disk chosen by " + how
                    + ", has " + describeSize(chosen.size()), list(verdicts));
        }
        return chosen;
    }

    /** The disks the policy lets an agent write to (or erase): every other one is never touched. */
    public static List<Disk> candidates(List<Disk> disks, TargetDiskPolicy policy) {
        return disks.stream().filter(disk -> excluded(disk, policy) == null).toList();
    }

    /** Why the disk is no candidate, or null when it is one. */
    private static String excluded(Disk disk, TargetDiskPolicy policy) {
        if (policy.denyListed(disk)) {
            return "on the deny list";
        }
        boolean allowed = policy.allowListed(disk);
        if (!policy.allow().isEmpty() && !allowed) {
            return "not on the allow list";
        }
        if (disk.name().startsWith("/dev/loop") && !allowed) {
            return "a loop device (not on the allow list)";
        }
        if (disk.removable() && !allowed) {
            return "removable media (not on the allow list)";
        }
        return null;
    }

    private static Disk firstMatching(List<Disk> candidates, RootDeviceHints hints, Map<Disk, String> verdicts) {
        Disk chosen = null;
        for (Disk disk : candidates) {
            List<Hint> mismatches = hints.mismatches(disk);
            if (mismatches.isEmpty() && chosen == null) {
                chosen = disk;
                verdicts.put(disk, "chosen");
            } else if (mismatches.isEmpty()) {
                verdicts.put(disk, "matches too, after the first");
            } else {
                verdicts.put(disk, "does not match " + mismatches.stream()
                        .map(h -> h.key() + "=" + h.expression() + " (" + h.key() + " " + h.valueOf(disk) + ")")
                        .collect(Collectors.joining(", ")));
            }
        }
        return chosen;
    }

    private static Disk smallestOfMinimumSize(List<Disk> candidates, Map<Disk, String> verdicts) {
        Disk chosen = null;
        for (Disk disk : candidates.stream().sorted(Comparator.comparingLong(Disk::size).thenComparing(Disk::name))
                .toList()) {
            if (disk.size() < MIN_DISK_SIZE) {
                verdicts.put(disk, "smaller than " + describeSize(MIN_DISK_SIZE));
            } else if (chosen == null) {
                chosen = disk;
                verdicts.put(disk, "chosen");
            } else {
                verdicts.put(disk, "larger than " + chosen.name());
            }
        }
        return chosen;
    }

    private static List<Candidate> list(Map<Disk, String> verdicts) {
        return verdicts.entrySet().stream().map(e -> new Candidate(e.getKey(),
                e.getValue() == null ? "a candidate" : e.getValue())).toList();
    }

    private static String describe(TargetDiskPolicy policy) {
        if (policy.allow().isEmpty() && policy.deny().isEmpty()) {
            return "no allow or deny list";
        }
        return "allow list " + policy.allow() + ", deny list " + policy.deny();
    }

    /** "10 GiB (10737418240 bytes)", "465.76 GiB (500107862016 bytes)". */
    static String describeSize(long bytes) {
        BigDecimal gib = new BigDecimal(bytes).divide(HintText.GIB).setScale(2, RoundingMode.HALF_EVEN)
                .stripTrailingZeros();
        return gib.toPlainString() + " GiB (" + bytes + " bytes)";
    }
}
