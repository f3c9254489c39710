package io.metalboot.cloudconfig;

import java.nio.charset.StandardCharsets;

/**
 * The compiled bootstrap: the cloud-config after its template was rendered (what cloud-init would
 * have parsed) and the sh script that does its work on the node.
 *
 * @param renderedCloudConfig the user data with its {@code ## template: jinja} line removed and its
 *                            variables expanded; the user data itself when it was no template
 * @param script              a POSIX sh script, run as root at first boot
 */
public record CompiledBootstrap(String renderedCloudConfig, String script) {
    /** Sizes only: both hold join tokens. */
    @Override
    public String toString() {
        return "CompiledBootstrap[renderedCloudConfig=" + renderedCloudConfig.getBytes(StandardCharsets.UTF_8).length
                + " bytes, script=" + script.getBytes(StandardCharsets.UTF_8).length + " bytes]";
    }
}
