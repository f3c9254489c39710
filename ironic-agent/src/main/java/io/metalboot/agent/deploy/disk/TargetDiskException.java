package io.metalboot.agent.deploy.disk;

import io.metalboot.machine.inventory.Disk;
import java.io.Serial;
import java.util.List;

/**
 * No disk may be written: the reason, and every disk the agent saw with why it was not chosen
 * (or, for {@link Reason#IMAGE_LARGER_THAN_DISK}, that it was). The message lists them all.
 */
public final class TargetDiskException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** Every disk excluded before the hints: loop, removable, deny list, not on the allow list; or none. */
        NO_CANDIDATE,
        /** Hints given, and no candidate satisfies them all. */
        NO_DISK_MATCHES_HINTS,
        /** No hints, and no candidate of at least 4 GiB. */
        NO_DISK_LARGE_ENOUGH,
        /** A disk was chosen, and the image's virtual size is more than it holds. */
        IMAGE_LARGER_THAN_DISK
    }

    /**
     * A disk and the verdict on it: "chosen", or why not ("removable media", "does not match
     * model=s== foo (model 'bar')", "smaller than 4 GiB").
     */
    public record Candidate(Disk disk, String verdict) {
    }

    private final Reason reason;
    private final transient List<Candidate> candidates;

    TargetDiskException(Reason reason, String summary, List<Candidate> candidates) {
        super(summary + (candidates.isEmpty() ? "; the machine has no disks"
                : "; the disks:" + candidates.stream().map(TargetDiskException::line).reduce("", String::concat)));
        this.reason = reason;
        this.candidates = List.copyOf(candidates);
    }

    public Reason reason() {
        return reason;
    }

    /** Every disk the choice saw, in the order given, with its verdict. */
    public List<Candidate> candidates() {
        return candidates;
    }

    private static String line(Candidate c) {
        Disk d = c.disk();
        return "\n  " + d.name() + " " + TargetDiskChooser.describeSize(d.size())
                + ", model " + quoted(d.model()) + ", serial " + quoted(d.serial()) + ": " + c.verdict();
    }

    private static String quoted(String text) {
        return text == null ? "none" : "'" + text + "'";
    }
}
