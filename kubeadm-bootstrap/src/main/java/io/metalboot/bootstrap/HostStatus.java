package io.metalboot.bootstrap;

import java.util.Objects;
import java.util.Optional;

/**
 * What the appliance writes into a BareMetalHost's status, in Metal³'s words.
 *
 * @param provisioningState {@code status.provisioning.state}: "registering", "inspecting", "available",
 *                          "provisioning", "provisioned", "deprovisioning", … as Metal³ spells them
 * @param provisionedImage  {@code status.provisioning.image}: the image written, once provisioned
 * @param inventoryJson     the agent's inventory (IPA's JSON, see {@code io.metalboot.machine.inventory}),
 *                          written as {@code status.hardware}; empty leaves the hardware as it is
 * @param poweredOn         {@code status.poweredOn}
 * @param operationalStatus {@code status.operationalStatus}: "OK", "discovered", "error", "detached", …
 * @param errorMessage      {@code status.errorMessage}; empty clears it
 */
public record HostStatus(String provisioningState, Optional<HostImage> provisionedImage, Optional<String> inventoryJson,
        boolean poweredOn, String operationalStatus, Optional<String> errorMessage) {
    public HostStatus {
        Objects.requireNonNull(provisioningState, "a host status has a provisioning state");
        provisionedImage = Objects.requireNonNullElse(provisionedImage, Optional.empty());
        inventoryJson = Objects.requireNonNullElse(inventoryJson, Optional.empty());
        Objects.requireNonNull(operationalStatus, "a host status has an operational status");
        errorMessage = Objects.requireNonNullElse(errorMessage, Optional.empty());
    }
}
