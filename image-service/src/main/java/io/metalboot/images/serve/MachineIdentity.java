package io.metalboot.images.serve;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Whether a request for a URL signed for one machine may come from where it comes from. The
 * appliance implements it from what it knows of machines (their agents' session credentials and
 * the addresses those sessions came from); image-service knows nothing of the registry.
 */
@FunctionalInterface
public interface MachineIdentity {
    /** Anyone holding a valid URL may fetch (tests, or an appliance that knows no machines). */
    MachineIdentity ANYONE = (machine, remote, bearer) -> true;

    /**
     * False when the request shows it is another machine's: it carries {@code bearer}, an agent
     * session credential of a machine other than {@code machine}, or it comes from an address
     * the appliance knows belongs to another machine. True otherwise (an Ironic agent has no
     * credential of ours, so a request showing nothing is judged by the signature alone).
     */
    boolean mayFetch(String machine, InetSocketAddress remote, Optional<String> bearer);

    /**
     * {@code machine} as the signed URL must name it (the appliance: the MAC in its one printed
     * form), or empty when it cannot name a machine. By default: itself, if it is a valid id.
     */
    default Optional<String> canonical(String machine) {
        try {
            return Optional.of(DeployUrls.requireId("machine", machine));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
