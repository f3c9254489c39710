package io.metalboot.appliance.agent;

import io.metalboot.appliance.registry.DeployRequest;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.DeployInstructions;
import java.time.Duration;

/**
 * Where a deploy's image comes from, as the agent sessions and the operator API ask: the image
 * service ({@code images.ImageService}) when it runs, which signs a catalog image's URL for one
 * machine and one deploy.
 */
public interface DeployImages {
    /** How long a signed deploy URL is valid: the longest write, with room to spare. */
    Duration URL_LIFETIME = Duration.ofHours(6);

    /** Whether the catalog has an image of this name. */
    boolean hasImage(String name);

    /**
     * What {@code mac}'s agent is told for {@code deploy}: a catalog image's signed URL (valid for
     * {@link #URL_LIFETIME}) with the catalog's checksum and format, or the external image as asked.
     *
     * @throws IllegalStateException with the reason the deploy cannot go on (the image left the catalog)
     */
    DeployInstructions instructions(MacAddress mac, DeployRequest deploy);

    /** With no image service: no catalog images; an external image's instructions as asked. */
    DeployImages NONE = new DeployImages() {
        @Override
        public boolean hasImage(String name) {
            return false;
        }

        @Override
        public DeployInstructions instructions(MacAddress mac, DeployRequest deploy) {
            if (deploy.image() != null) {
                throw new IllegalStateException("the image service does not run: no catalog image can be served");
            }
            return external(deploy);
        }
    };

    /** An external image's instructions: its URL, checksum and format as the operator gave them. */
    static DeployInstructions external(DeployRequest deploy) {
        return new DeployInstructions(deploy.id(), deploy.url(), deploy.checksum(),
                deploy.format() == null ? "detect" : deploy.format(), deploy.rootDeviceHints(), deploy.readBack());
    }
}
