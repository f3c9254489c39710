package io.metalboot.cloudconfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The test vectors under src/test/resources/vectors and the instance data they are rendered with. */
final class Vectors {
    static final String MINIMAL = "cabpk/worker-join-minimal.cloud-config";
    static final String METAL3 = "cabpk/worker-join-metal3.cloud-config";
    static final String ALL_FEATURES = "all-features.cloud-config";

    static final String UUID = "6e6b4a1c-1f0a-4a5e-9d3b-2c7f0e8a9b10";
    /** Metal³'s meta_data for the test machine, as Ironic writes it to the config drive. */
    static final InstanceData MACHINE = new InstanceData(Map.of(
            "uuid", UUID,
            "name", "worker-0",
            "local-hostname", "worker-0.lab.example",
            "local_hostname", "worker-0.lab.example",
            "metal3-name", "worker-0",
            "metal3-namespace", "metal3"));

    private Vectors() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test vector " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
