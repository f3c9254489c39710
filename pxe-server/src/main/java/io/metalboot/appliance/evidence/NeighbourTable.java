package io.metalboot.appliance.evidence;

import io.metalboot.machine.MacAddress;
import java.net.Inet4Address;
import java.util.Optional;

/** The kernel's IPv4 neighbour (ARP) table on the provisioning interface: which MAC an address is now. */
@FunctionalInterface
public interface NeighbourTable {
    /** The MAC of a complete entry for {@code address}; empty if there is none (or it is incomplete). */
    Optional<MacAddress> lookup(Inet4Address address);
}
