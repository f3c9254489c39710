package io.metalboot.dhcp.proxy;

import io.metalboot.dhcp.model.MachineGuid;
import io.metalboot.machine.MacAddress;
import java.util.Optional;

/**
 * What a PXE request says about the machine that sent it.
 *
 * @param architecture the RFC 4578 client system architecture (option 93)
 * @param ipxe whether the request comes from iPXE (option 77 "iPXE" or option 175)
 * @param httpClient whether the firmware asks for UEFI HTTP boot (option 60 "HTTPClient")
 * @param relayed whether the request came through a DHCP relay (giaddr set): the machine is then
 *     not on the proxy's own link, and nothing here can say more of it than its chaddr
 */
public record PxeClient(MacAddress mac, Optional<MachineGuid> guid, int architecture, boolean ipxe,
        boolean httpClient, boolean relayed) {
}
