package io.metalboot.appliance.evidence;

import io.metalboot.machine.MacAddress;
import java.net.Inet4Address;
import java.util.Map;
import java.util.Optional;

/** A neighbour table that says what it was given: for tests, and for a host with no table to read. */
public record FixedNeighbourTable(Map<Inet4Address, MacAddress> entries) implements NeighbourTable {
    public static final FixedNeighbourTable EMPTY = new FixedNeighbourTable(Map.of());

    public FixedNeighbourTable {
        entries = Map.copyOf(entries);
    }

    @Override
    public Optional<MacAddress> lookup(Inet4Address address) {
        return Optional.ofNullable(entries.get(address));
    }
}
