package io.metalboot.appliance.evidence;

import java.util.Set;

/** Script requests from {@code network} must show {@code require} (empty: the network is trusted outright). */
public record NetworkRule(Ipv4Cidr network, Set<EvidenceKind> require) {
    public NetworkRule {
        require = Set.copyOf(require);
    }
}
