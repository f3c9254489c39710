package io.metalboot.appliance;

import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labels set through the operator API select a boot profile: the whole appliance in-process, over
 * real HTTP on loopback, with a profile whose selector names a label nothing else sets.
 */
class LabelSelectedProfileTest {
    private static final String MAC = "52:54:00:1a:be:01";

    @Test
    void aLabelSetThroughTheApiPicksTheProfileThatSelectsIt(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, """
                boot:
                  profiles:
                    - name: gpu-workers
                      labels: {metalboot.io/role: gpu-worker}
                      kernel: "http://{server}:{http-port}/assets/gpu/vmlinuz"
                """)) {
            String boot = appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC;
            String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
            String before = appliance.send(get(boot), 200);
            assertTrue(before.contains("(profile default)"), before);

            String set = appliance.operator(get(machine + "/labels/metalboot.io%2Frole")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"gpu-worker\"}")), 200);
            assertTrue(set.contains("\"labels\":{\"metalboot.io/role\":\"gpu-worker\"}"), set);
            assertEquals("{\"metalboot.io/role\":\"gpu-worker\"}", appliance.operator(get(machine + "/labels"), 200));

            String after = appliance.send(get(boot), 200);
            assertTrue(after.contains("(profile gpu-workers)"), after);
            assertTrue(after.contains("kernel " + appliance.bootBase() + "/assets/gpu/vmlinuz "),
                    "the bound port is advertised: " + after);

            appliance.operator(get(machine + "/labels/metalboot.io/role").DELETE(), 200);
            String removed = appliance.send(get(boot), 200);
            assertTrue(removed.contains("(profile default)"), removed);
        }
    }

    @Test
    void labelsOutsideKubernetesSyntaxOrForNoMachineAreRefused(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
            appliance.operator(get(machine + "/labels/rack")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"7\"}")), 404);
            appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200);
            String badKey = appliance.operator(get(machine + "/labels/-rack")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"7\"}")), 400);
            assertTrue(badKey.contains("label key '-rack'"), badKey);
            String badValue = appliance.operator(get(machine + "/labels/rack")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"seven !\"}")), 400);
            assertTrue(badValue.contains("label value 'seven !'"), badValue);
            appliance.operator(get(machine + "/labels/rack").PUT(HttpRequest.BodyPublishers.ofString("not json")), 400);
            appliance.operator(get(machine + "/labels/rack")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"value\": \"7\"}")), 405);
            assertEquals("{}", appliance.operator(get(machine + "/labels"), 200));
        }
    }
}
