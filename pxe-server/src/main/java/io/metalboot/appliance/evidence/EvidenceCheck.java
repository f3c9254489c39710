package io.metalboot.appliance.evidence;

import java.util.Set;

/** What {@link BootEvidence#check} found of one script request. */
public sealed interface EvidenceCheck {
    /** @param shown what the request's network required, all of which held (empty: a trusted network) */
    record Accepted(Set<EvidenceKind> shown) implements EvidenceCheck {
        public Accepted {
            shown = Set.copyOf(shown);
        }
    }

    /** @param detail what was seen instead, for the log (never a secret) */
    record Refused(RefusalReason reason, String detail) implements EvidenceCheck {
    }
}
