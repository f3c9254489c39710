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
 */
public record PxeClient(MacAddress mac, Optional<MachineGuid> guid, int architecture, boolean ipxe,
        boolean httpClient) {
}
