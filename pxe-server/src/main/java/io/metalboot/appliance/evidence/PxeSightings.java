package io.metalboot.appliance.evidence;

import io.metalboot.machine.MacAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The last PXE DISCOVER/REQUEST the ProxyDHCP saw from each MAC, in memory and bounded: past
 * {@code capacity} MACs the one seen longest ago is dropped, so a flood of DHCP packets with
 * made-up chaddrs costs a fixed amount of memory (and at worst pushes out sightings older than
 * the flood, whose machines then PXE-boot again).
 */
final class PxeSightings {
    /** When, and whether through a relay (giaddr set). */
    record Sighting(Instant at, boolean relayed) {
    }

    private final Map<MacAddress, Sighting> sightings;

    PxeSightings(int capacity) {
        this.sightings = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<MacAddress, Sighting> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void seen(MacAddress mac, Instant at, boolean relayed) {
        sightings.remove(mac); // re-inserted last: the order is the order of last sightings
        sightings.put(mac, new Sighting(at, relayed));
    }

    synchronized Optional<Sighting> last(MacAddress mac) {
        return Optional.ofNullable(sightings.get(mac));
    }

    synchronized int size() {
        return sightings.size();
    }
}
