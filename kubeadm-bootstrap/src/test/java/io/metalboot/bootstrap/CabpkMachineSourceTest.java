package io.metalboot.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.SmbiosUuid;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CABPK chain against fabric8's mock API server in CRUD mode: mapping → Machine → bootstrap Secret. */
@EnableKubernetesMockClient(crud = true)
class CabpkMachineSourceTest extends BootstrapSourceContract {
    private static final String NAMESPACE = "lab";
    private static final String MACHINE = "lab-md-0-8fz2k-xq7tw";
    private static final MacAddress MAC = MacAddress.parse("52:54:00:6c:3c:11");
    private static final SmbiosUuid UUID = SmbiosUuid.parse("8c1d4b6f-5a0e-4d7e-9f3a-2b1c0d9e8f11");
    private static final String SERIAL = "LAB-WORKER-11";

    // one server for the class (its start is most of a test's time), emptied before each test
    static KubernetesMockServer server;
    static KubernetesClient client;

    @BeforeEach
    void loadMachine() {
        server.reset();
        ClusterFixtures.apply(client, "capi-machine-v1beta2.yaml");
        ClusterFixtures.apply(client, "capi-bootstrap-secret.yaml");
    }

    @Override
    BootstrapSource source() {
        return new CabpkMachineSource(client, List.of(
                new MachineMapping("mac", MAC.toString().toUpperCase(), NAMESPACE, MACHINE),
                new MachineMapping("uuid", UUID.toString(), NAMESPACE, MACHINE),
                new MachineMapping("serial", SERIAL, NAMESPACE, MACHINE),
                new MachineMapping("mac", "52:54:00:6c:3c:12", NAMESPACE, "not-there-yet")));
    }

    @Override
    MachineKeys known() {
        return MachineKeys.of(MAC);
    }

    @Override
    List<MachineKeys> knownOtherwise() {
        MacAddress other = MacAddress.parse("02:00:00:00:00:01");
        return List.of(new MachineKeys(other, Optional.of(UUID), Optional.empty()),
                new MachineKeys(other, Optional.empty(), Optional.of(SERIAL)));
    }

    @Override
    byte[] expectedValue() {
        return ClusterFixtures.minimalVector();
    }

    @Override
    BootstrapFormat expectedFormat() {
        return BootstrapFormat.CLOUD_CONFIG;
    }

    @Override
    String expectedOrigin() {
        return "Secret lab/lab-md-0-8fz2k-xq7tw (Machine lab/lab-md-0-8fz2k-xq7tw (cluster.x-k8s.io/v1beta2)";
    }

    @Override
    void replaceValue(byte[] value) {
        ClusterFixtures.putSecretKey(client, NAMESPACE, MACHINE, "value", value);
    }

    @Override
    void storeRefused(byte[] secretValue) {
        replaceValue(secretValue);
        ClusterFixtures.putSecretKey(client, NAMESPACE, MACHINE, "format", "shell".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void metaDataNamesTheMachine() throws Exception {
        // the API server gives every object its own uid, the fixture's is not kept
        String uid = ClusterFixtures.get(client, ClusterFixtures.MACHINE_V1BETA2, NAMESPACE, MACHINE).getMetadata().getUid();
        assertEquals(Map.of("uuid", uid, "name", MACHINE, "local-hostname", MACHINE,
                "local_hostname", MACHINE), source().find(known()).orElseThrow().metaData());
    }

    @Test
    void aV1beta1MachineIsReadWhenNoV1beta2IsServed() throws Exception {
        client.genericKubernetesResources(ClusterFixtures.MACHINE_V1BETA2).inNamespace(NAMESPACE).withName(MACHINE).delete();
        assertEquals(Optional.empty(), source().find(known()));
        ClusterFixtures.apply(client, "capi-machine-v1beta1.yaml");
        BootstrapData data = source().find(known()).orElseThrow();
        assertArrayEquals(ClusterFixtures.minimalVector(), data.value());
        assertTrue(data.origin().contains("cluster.x-k8s.io/v1beta1"), data.origin());
    }

    @Test
    void noDataSecretNameYetIsNotReady() throws Exception {
        GenericKubernetesResource machine = ClusterFixtures.get(client, ClusterFixtures.MACHINE_V1BETA2, NAMESPACE, MACHINE);
        Map<String, Object> spec = ClusterFixtures.part(machine, "spec");
        Map<String, Object> bootstrap = ApiObjects.stringKeys(spec.get("bootstrap"));
        bootstrap.remove("dataSecretName");
        spec.put("bootstrap", bootstrap);
        machine.getAdditionalProperties().put("spec", spec);
        client.genericKubernetesResources(ClusterFixtures.MACHINE_V1BETA2).inNamespace(NAMESPACE).resource(machine).update();
        assertEquals(Optional.empty(), source().find(known()));
    }

    @Test
    void aMachineNotCreatedYetIsNotReady() throws Exception {
        assertEquals(Optional.empty(), source().find(MachineKeys.of(MacAddress.parse("52:54:00:6c:3c:12"))));
    }

    @Test
    void aMissingBootstrapSecretIsAnError() {
        client.resources(Secret.class).inNamespace(NAMESPACE).withName(MACHINE).delete();
        BootstrapException e = assertThrows(BootstrapException.class, () -> source().find(known()));
        assertEquals("Secret lab/lab-md-0-8fz2k-xq7tw (Machine lab/lab-md-0-8fz2k-xq7tw (cluster.x-k8s.io/v1beta2) "
                + "spec.bootstrap.dataSecretName) not found", e.getMessage());
    }

    @Test
    void ignitionFormatIsTheSecretsFormatKey() throws Exception {
        byte[] ignition = "{\"ignition\":{\"version\":\"3.4.0\"}}".getBytes(StandardCharsets.UTF_8);
        replaceValue(ignition);
        ClusterFixtures.putSecretKey(client, NAMESPACE, MACHINE, "format", "ignition".getBytes(StandardCharsets.UTF_8));
        BootstrapData data = source().find(known()).orElseThrow();
        assertEquals(BootstrapFormat.IGNITION, data.format());
        assertArrayEquals(ignition, data.value());
    }

    @Test
    void mappingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new MachineMapping("hostname", "x", NAMESPACE, MACHINE));
        assertThrows(IllegalArgumentException.class, () -> new MachineMapping("mac", "52:54:00", NAMESPACE, MACHINE));
        assertThrows(IllegalArgumentException.class, () -> new MachineMapping("serial", " ", NAMESPACE, MACHINE));
        assertThrows(IllegalArgumentException.class, () -> new MachineMapping("serial", "S1", "", MACHINE));
    }
}
