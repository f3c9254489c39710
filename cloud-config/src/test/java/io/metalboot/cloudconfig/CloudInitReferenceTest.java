package io.metalboot.cloudconfig;

import io.metalboot.cloudconfig.testing.ProcessRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.testing.Commands;
import io.metalboot.image.testing.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real cloud-init as the reference: {@code cloud-init devel render} of each vector with the
 * same instance data gives byte for byte our rendered cloud-config, and {@code cloud-init schema}
 * accepts the rendered one and refuses the unrendered template. Skipped without cloud-init (Debian
 * package cloud-init), failed under CI=true.
 */
class CloudInitReferenceTest {
    @BeforeAll
    static void needsCloudInit() {
        RequiredTools.require(RequiredTools.program("cloud-init", "cloud-init"));
    }

    @ParameterizedTest
    @ValueSource(strings = {Vectors.MINIMAL, Vectors.METAL3, Vectors.ALL_FEATURES})
    void cloudInitRendersWhatWeRenderAndItsSchemaAcceptsIt(String vector, @TempDir Path dir) throws Exception {
        Path template = dir.resolve("user-data");
        Files.write(template, Vectors.bytes(vector));
        Path instanceData = dir.resolve("instance-data.json");
        Files.writeString(instanceData, instanceDataJson());
        CompiledBootstrap ours = CloudConfigCompiler.compile(Vectors.bytes(vector), Vectors.MACHINE);

        String theirs = Commands.run(dir, "cloud-init", "devel", "render", template.toString(), "-i",
                instanceData.toString());
        assertEquals(theirs, ours.renderedCloudConfig(), vector);

        Path rendered = dir.resolve("rendered");
        Files.writeString(rendered, ours.renderedCloudConfig());
        assertTrue(Commands.run(dir, "cloud-init", "schema", "-c", rendered.toString()).contains("Valid cloud-config"));
        ProcessRun unrendered = ProcessRun.run(dir, List.of("cloud-init", "schema", "-c", template.toString()));
        assertNotEquals(0, unrendered.status(), "the template itself is no cloud-config: " + unrendered.describe());
    }

    /**
     * instance-data.json as cloud-init writes it for Metal³'s ConfigDrive, reduced to what the
     * vectors use: ds.meta_data (with the reader's instance-id copy) and the v1 keys.
     */
    private static String instanceDataJson() {
        Map<String, Object> meta = new TreeMap<>(Vectors.MACHINE.metaData());
        meta.put("instance-id", Vectors.UUID);
        Map<String, Object> v1 = new TreeMap<>(Map.of("instance_id", Vectors.UUID, "instance-id", Vectors.UUID,
                "local_hostname", "worker-0", "local-hostname", "worker-0", "cloud_name", "configdrive",
                "cloud-name", "configdrive", "platform", "openstack"));
        return "{\"ds\": {\"meta_data\": " + json(meta) + "}, \"v1\": " + json(v1) + "}\n";
    }

    private static String json(Map<String, Object> map) {
        return map.entrySet().stream().map(e -> quote(e.getKey()) + ": " + quote(String.valueOf(e.getValue())))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
