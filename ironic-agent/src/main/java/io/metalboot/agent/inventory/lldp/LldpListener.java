package io.metalboot.agent.inventory.lldp;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Listens for LLDP frames on network interfaces: an interface is not a file under the collector's
 * root, so, like {@code HostFacts}, this is handed to the collector — {@link PacketSocketListener}
 * on the machine, a fake in the tests.
 */
public interface LldpListener {
    /**
     * Listens on all the interfaces at once and gives the TLVs of the first LLDP frame each received;
     * an interface that received none in the listener's time is not in the map. Returns as soon as
     * every interface has one.
     */
    Map<String, List<LldpTlv>> listen(Collection<String> interfaceNames);
}
