package io.metalboot.cloudconfig;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bootstrap data (CABPK's cloud-config, optionally a {@code ## template: jinja}) to the sh script
 * that does its work on a node without cloud-init, following cloud-init 22.4/23.x's semantics for
 * the keys it supports (README.md) and refusing every other key by name.
 */
public final class CloudConfigCompiler {
    private static final String CLOUD_CONFIG = "#cloud-config";

    private CloudConfigCompiler() {
    }

    public static CompiledBootstrap compile(byte[] userData, InstanceData instance) throws CloudConfigException {
        String text = utf8(userData);
        String rendered = JinjaTemplate.isTemplate(text) ? JinjaTemplate.render(text, instance) : text;
        requireCloudConfig(rendered);
        CloudConfig config = CloudConfigParser.parse(rendered);
        return new CompiledBootstrap(rendered, BootstrapScript.render(config, instance));
    }

    private static String utf8(byte[] userData) throws CloudConfigException {
        if (userData.length >= 2 && (userData[0] & 0xff) == 0x1f && (userData[1] & 0xff) == 0x8b) {
            throw new CloudConfigException.Unsupported("user data encoding: gzip-compressed");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(userData)).toString();
        } catch (CharacterCodingException e) {
            throw new CloudConfigException.Malformed("user data is not UTF-8");
        }
    }

    /** cloud-init picks the part handler by the payload's start; only #cloud-config is carried out. */
    private static void requireCloudConfig(String rendered) throws CloudConfigException {
        String firstLine = rendered.lines().findFirst().orElse("").strip();
        for (String other : new String[] {"#cloud-config-archive", "#cloud-config-jsonp", "#!", "#include",
                "#cloud-boothook", "#part-handler", "Content-Type:", "MIME-Version:"}) {
            if (rendered.startsWith(other)) {
                throw new CloudConfigException.Unsupported("user data type: " + other);
            }
        }
        if (!firstLine.equals(CLOUD_CONFIG)) {
            throw new CloudConfigException.Malformed("not a cloud-config: the first line is not " + CLOUD_CONFIG);
        }
    }
}
