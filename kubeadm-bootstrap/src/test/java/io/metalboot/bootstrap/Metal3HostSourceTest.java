package io.metalboot.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.metalboot.machine.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Metal³ chain against fabric8's mock API server in CRUD mode, the BareMetalHost CRD with its status subresource. */
@EnableKubernetesMockClient(crud = true)
class Metal3HostSourceTest extends BootstrapSourceContract {
    private static final String NAMESPACE = "metal3";
    private static final String HOST = "worker-0";
    private static final String USER_DATA = "worker-0-user-data";
    private static final MacAddress MAC = MacAddress.parse("52:54:00:6c:3c:01");

    // one server for the class (its start is most of a test's time), emptied before each test
    static KubernetesMockServer server;
    static KubernetesClient client;

    @BeforeEach
    void loadHost() {
        server.reset();
        ClusterFixtures.apply(client, "crds.yaml");
        ClusterFixtures.apply(client, "metal3-worker-0.yaml");
        ClusterFixtures.apply(client, "metal3-worker-0-secrets.yaml");
    }

    private BareMetalHosts hosts() {
        return new BareMetalHosts(client, Optional.empty());
    }

    @Override
    BootstrapSource source() {
        return new Metal3HostSource(hosts());
    }

    @Override
    MachineKeys known() {
        return MachineKeys.of(MAC);
    }

    @Override
    List<MachineKeys> knownOtherwise() {
        return List.of(); // a BareMetalHost names its boot MAC address only
    }

    @Override
    byte[] expectedValue() {
        return ClusterFixtures.metal3Vector();
    }

    @Override
    BootstrapFormat expectedFormat() {
        return BootstrapFormat.CLOUD_CONFIG;
    }

    @Override
    String expectedOrigin() {
        return "Secret metal3/worker-0-user-data (BareMetalHost metal3/worker-0 userData)";
    }

    @Override
    void replaceValue(byte[] value) {
        ClusterFixtures.putSecretKey(client, NAMESPACE, USER_DATA, "userData", value);
    }

    @Override
    void storeRefused(byte[] secretValue) {
        replaceValue(secretValue);
        ClusterFixtures.putSecretKey(client, NAMESPACE, USER_DATA, "format", "shell".getBytes(StandardCharsets.UTF_8));
    }

    private GenericKubernetesResource hostResource() {
        return ClusterFixtures.get(client, BareMetalHosts.TYPE, NAMESPACE, HOST);
    }

    @Test
    void theHostIsReadAsCapm3LeftIt() throws Exception {
        BareMetalHost host = hosts().byBootMac(MacAddress.parse("52-54-00-6C-3C-01")).orElseThrow();
        assertEquals(NAMESPACE, host.namespace());
        assertEquals(HOST, host.name());
        assertEquals(hostResource().getMetadata().getUid(), host.uid());
        assertTrue(host.consumed());
        assertTrue(host.online());
        assertEquals(Optional.of(new SecretRef(NAMESPACE, USER_DATA)), host.userData());
        assertEquals(Optional.of(new SecretRef(NAMESPACE, "lab-workers-7x9kq-4vz2m-metadata")), host.metaData());
        HostImage image = host.image().orElseThrow();
        assertEquals("http://172.22.0.1/images/ubuntu-24.04-server-cloudimg-amd64.img", image.url());
        assertEquals("qcow2", image.format());
        assertEquals("sha256:9f3cc5a4b0f8a1d2c3e4f5061728394a5b6c7d8e9f00112233445566778899aa", image.agentChecksum());
        assertEquals(Map.of("name", "s== /dev/sda", "model", "<in> LAB-SSD", "size", ">= 20",
                "serial", "s== S3Z9NB0K123456", "wwn", "s== 0x5000c500a1b2c3d4", "rotational", false),
                host.rootDeviceHints());
        assertEquals(Optional.empty(), hosts().byBootMac(MacAddress.parse("52:54:00:6c:3c:99")));
        assertEquals(Optional.empty(), new BareMetalHosts(client, Optional.of("other")).byBootMac(MAC));
    }

    @Test
    void metaDataIsMetal3sDefaultsOverlaidWithTheSecret() throws Exception {
        BootstrapData data = source().find(known()).orElseThrow();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("uuid", hostResource().getMetadata().getUid());
        expected.put("metal3-namespace", NAMESPACE);
        expected.put("metal3-name", HOST);
        expected.put("local-hostname", "lab-workers-7x9kq-4vz2m");
        expected.put("local_hostname", "lab-workers-7x9kq-4vz2m");
        expected.put("name", HOST);
        expected.put("providerid", "metal3://metal3/worker-0/lab-workers-7x9kq-4vz2m");
        assertEquals(expected, data.metaData());
        String network = data.networkDataJson().orElseThrow();
        assertTrue(network.startsWith("{\"links\":[{\"id\":\"enp1s0\""), network);
        assertTrue(network.contains("\"ethernet_mac_address\":\"52:54:00:6c:3c:01\""), network);
    }

    @Test
    void userDataFallsBackToTheValueKeyAndFormatSaysIgnition() throws Exception {
        byte[] ignition = "{\"ignition\":{\"version\":\"3.4.0\"}}".getBytes(StandardCharsets.UTF_8);
        client.resources(Secret.class).inNamespace(NAMESPACE).withName(USER_DATA).delete();
        client.resource(new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(NAMESPACE).withName(USER_DATA).build())
                .withType("cluster.x-k8s.io/secret")
                .addToData("value", Base64.getEncoder().encodeToString(ignition))
                .addToData("format", Base64.getEncoder().encodeToString("ignition".getBytes(StandardCharsets.UTF_8)))
                .build()).create();
        BootstrapData data = source().find(known()).orElseThrow();
        assertEquals(BootstrapFormat.IGNITION, data.format());
        assertArrayEquals(ignition, data.value());
    }

    @Test
    void aHostWithoutUserDataHasNone() throws Exception {
        GenericKubernetesResource host = hostResource();
        Map<String, Object> spec = ClusterFixtures.part(host, "spec");
        spec.remove("userData");
        host.getAdditionalProperties().put("spec", spec);
        client.genericKubernetesResources(BareMetalHosts.TYPE).inNamespace(NAMESPACE).resource(host).update();
        assertEquals(Optional.empty(), source().find(known()));
    }

    @Test
    void aMissingUserDataSecretIsAnError() {
        client.resources(Secret.class).inNamespace(NAMESPACE).withName(USER_DATA).delete();
        BootstrapException e = assertThrows(BootstrapException.class, () -> source().find(known()));
        assertEquals("Secret metal3/worker-0-user-data (BareMetalHost metal3/worker-0 userData) not found", e.getMessage());
    }

    @Test
    void twoHostsWithOneBootMacAreAnError() throws Exception {
        GenericKubernetesResource twin = hostResource();
        twin.setMetadata(new ObjectMetaBuilder().withNamespace("other").withName("worker-0-twin").build());
        Map<String, Object> spec = ClusterFixtures.part(twin, "spec");
        spec.put("bootMACAddress", "52:54:00:6C:3C:01");
        twin.getAdditionalProperties().put("spec", spec);
        client.genericKubernetesResources(BareMetalHosts.TYPE).inNamespace("other").resource(twin).create();
        BootstrapException e = assertThrows(BootstrapException.class, () -> hosts().byBootMac(MAC));
        assertTrue(e.getMessage().contains("metal3/worker-0") && e.getMessage().contains("other/worker-0-twin"),
                e.getMessage());
        assertThrows(BootstrapException.class, () -> source().find(known()));
        assertEquals(List.of(), hosts().list(), "a sync pass leaves both alone");
    }

    @Test
    void theHostsAreListedInOneCallEachWithItsBootMac() throws Exception {
        List<BareMetalHost> all = hosts().list();
        assertEquals(List.of(MAC), all.stream().map(BareMetalHost::bootMac).toList());
        assertEquals(hosts().byBootMac(MAC).orElseThrow(), all.getFirst());
    }

    @Test
    void theStatusIsWrittenThroughTheSubresourceAndTheSpecStaysAsItWas() throws Exception {
        Map<String, Object> specBefore = ClusterFixtures.part(hostResource(), "spec");
        BareMetalHost host = hosts().byBootMac(MAC).orElseThrow();
        String inventory = new String(ClusterFixtures.bytes("inventory-worker-0.json"), StandardCharsets.UTF_8);
        hosts().writeStatus(host, new HostStatus("provisioned", host.image(), Optional.of(inventory), true, "OK",
                Optional.empty()));

        GenericKubernetesResource after = hostResource();
        assertEquals(specBefore, ClusterFixtures.part(after, "spec"));
        Map<String, Object> status = ClusterFixtures.part(after, "status");
        assertEquals("provisioned", ApiObjects.at(status, "provisioning", "state"));
        assertEquals("http://172.22.0.1/images/ubuntu-24.04-server-cloudimg-amd64.img",
                ApiObjects.at(status, "provisioning", "image", "url"));
        assertEquals("sha256", ApiObjects.at(status, "provisioning", "image", "checksumType"));
        assertEquals(true, status.get("poweredOn"));
        assertEquals("OK", status.get("operationalStatus"));
        assertEquals("", status.get("errorMessage"));
        assertNotNull(status.get("lastUpdated"));

        Object hardware = status.get("hardware");
        assertEquals("x86_64", ApiObjects.at(hardware, "cpu", "arch"));
        assertEquals("AMD EPYC 7543 32-Core Processor", ApiObjects.at(hardware, "cpu", "model"));
        assertEquals(2795, ((Number) ApiObjects.at(hardware, "cpu", "clockMegahertz")).intValue());
        assertEquals(List.of("avx2", "fpu", "sse2", "vmx"), ApiObjects.at(hardware, "cpu", "flags"));
        assertEquals(4, ((Number) ApiObjects.at(hardware, "cpu", "count")).intValue());
        assertEquals(8192, ((Number) ApiObjects.at(hardware, "ramMebibytes")).intValue());
        assertEquals("worker-0", ApiObjects.at(hardware, "hostname"));
        assertEquals(Map.of("manufacturer", "QEMU", "productName", "Standard PC (Q35 + ICH9, 2009)",
                "serialNumber", "LAB-WORKER-0"), ApiObjects.at(hardware, "systemVendor"));
        assertEquals(Map.of("date", "08/13/2024", "vendor", "EDK II", "version", "edk2-stable202408-prebuilt.qemu.org"),
                ApiObjects.at(hardware, "firmware", "bios"));

        List<?> nics = ApiObjects.list(ApiObjects.at(hardware, "nics"));
        assertEquals(3, nics.size(), "enp1s0 once per address, enp2s0 once: " + nics);
        Object first = nics.get(0);
        assertEquals("enp1s0", ApiObjects.at(first, "name"));
        assertEquals("0x1af4 0x1041", ApiObjects.at(first, "model"));
        assertEquals("52:54:00:6c:3c:01", ApiObjects.at(first, "mac"));
        assertEquals("172.22.0.57", ApiObjects.at(first, "ip"));
        assertEquals(10, ((Number) ApiObjects.at(first, "speedGbps")).intValue());
        assertEquals(100, ((Number) ApiObjects.at(first, "vlanId")).intValue());
        assertEquals(true, ApiObjects.at(first, "pxe"));
        assertEquals("lab-tor", ApiObjects.at(first, "lldp", "switchSystemName"));
        assertEquals("fe80::5054:ff:fe6c:3c01", ApiObjects.at(nics.get(1), "ip"));
        assertEquals(null, ApiObjects.at(nics.get(2), "pxe"), "false is left out, as omitempty does");

        List<?> storage = ApiObjects.list(ApiObjects.at(hardware, "storage"));
        assertEquals("/dev/disk/by-path/pci-0000:00:05.0-nvme-1", ApiObjects.at(storage.get(0), "name"));
        assertEquals("NVME", ApiObjects.at(storage.get(0), "type"));
        assertEquals(53687091200L, ((Number) ApiObjects.at(storage.get(0), "sizeBytes")).longValue());
        Object sda = storage.get(1);
        assertEquals("/dev/sda", ApiObjects.at(sda, "name"));
        assertEquals("SSD", ApiObjects.at(sda, "type"));
        assertEquals("ATA", ApiObjects.at(sda, "vendor"));
        assertEquals("LAB-SSD", ApiObjects.at(sda, "model"));
        assertEquals("S3Z9NB0K123456", ApiObjects.at(sda, "serialNumber"));
        assertEquals("0x5000c500a1b2c3d4", ApiObjects.at(sda, "wwn"));
        assertEquals("0:0:0:0", ApiObjects.at(sda, "hctl"));
        assertEquals("HDD", ApiObjects.at(storage.get(2), "type"));
        assertEquals(true, ApiObjects.at(storage.get(2), "rotational"));

        // a later write keeps the hardware it does not replace, and sets the error
        hosts().writeStatus(host, new HostStatus("provisioned", host.image(), Optional.empty(), false, "error",
                Optional.of("node did not join")));
        Map<String, Object> later = ClusterFixtures.part(hostResource(), "status");
        assertEquals(hardware, later.get("hardware"));
        assertEquals("error", later.get("operationalStatus"));
        assertEquals("node did not join", later.get("errorMessage"));
        assertEquals(false, later.get("poweredOn"));
        assertEquals(specBefore, ClusterFixtures.part(hostResource(), "spec"));
    }

    @Test
    void aStatusForAReplacedHostIsRefused() throws Exception {
        BareMetalHost host = hosts().byBootMac(MAC).orElseThrow();
        BareMetalHost stale = new BareMetalHost(host.namespace(), host.name(), "another-uid", host.bootMac(),
                host.image(), host.rootDeviceHints(), host.consumed(), host.userData(), host.networkData(),
                host.metaData(), host.online());
        HostStatus status = new HostStatus("available", Optional.empty(), Optional.empty(), false, "OK", Optional.empty());
        assertThrows(BootstrapException.class, () -> hosts().writeStatus(stale, status));
        assertFalse(ClusterFixtures.part(hostResource(), "status").containsKey("provisioning"));
    }

    @Test
    void checksumsInTheAgentsForm() {
        String md5 = "d41d8cd98f00b204e9800998ecf8427e";
        assertEquals("md5:" + md5, new HostImage("http://i/x", md5, "auto", "raw").agentChecksum());
        assertEquals("md5:" + md5, new HostImage("http://i/x", md5.toUpperCase(), "", "raw").agentChecksum());
        assertEquals("sha512:" + "a".repeat(128), new HostImage("http://i/x", "a".repeat(128), "sha512", "").agentChecksum());
        assertEquals("url:http://i/SHA256SUMS", new HostImage("http://i/x", "http://i/SHA256SUMS", "sha256", "").agentChecksum());
        assertThrows(IllegalArgumentException.class, () -> new HostImage("http://i/x", md5, "sha256", "").agentChecksum());
        assertThrows(IllegalArgumentException.class, () -> new HostImage("http://i/x", md5, "crc32", "").agentChecksum());
        assertThrows(IllegalArgumentException.class, () -> new HostImage("http://i/x", "", "", "").agentChecksum());
    }

    @Test
    void byPathDeviceNamesAndTheOtherWwnsMapAsMetal3MapsThem() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("deviceName", "/dev/disk/by-path/pci-0000:00:05.0");
        spec.put("hctl", "1:0:0:0");
        spec.put("vendor", "ATA");
        spec.put("wwnWithExtension", "0x1-0x2");
        spec.put("wwnVendorExtension", "0x2");
        spec.put("rotational", true);
        spec.put("minSizeGigabytes", 0);
        assertEquals(Map.of("by_path", "s== /dev/disk/by-path/pci-0000:00:05.0", "hctl", "s== 1:0:0:0",
                "vendor", "<in> ATA", "wwn_with_extension", "s== 0x1-0x2", "wwn_vendor_extension", "s== 0x2",
                "rotational", true), Metal3RootDeviceHints.toAgentHints(spec));
    }
}
