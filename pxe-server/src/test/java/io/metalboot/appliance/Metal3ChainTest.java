package io.metalboot.appliance;

import static io.metalboot.appliance.DeployFlowTest.post;
import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.metalboot.cloudconfig.CloudConfigCompiler;
import io.metalboot.cloudconfig.InstanceData;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.BootstrapDelivery;
import io.metalboot.machine.agent.DeployInstructions;
import io.metalboot.machine.agent.DeployedDisk;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Metal³ chain through the real appliance, against fabric8's Kubernetes mock server in CRUD
 * mode (no kube-apiserver can run here; the appliance's client code is the one a real cluster
 * gets, reached by a kubeconfig file): a BareMetalHost as Cluster API's Metal³ provider leaves it
 * (consumerRef, image, userData, metaData, networkData) is inspected (its status.hardware from the
 * agent's inventory), deployed with its own image, checksum and mapped root-device hints, given
 * its userData with Metal³'s meta_data, and shown provisioned; its spec is never written.
 */
@EnableKubernetesMockClient(crud = true)
class Metal3ChainTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:6c:3c:01");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ResourceDefinitionContext HOSTS = new ResourceDefinitionContext.Builder()
            .withGroup("metal3.io").withVersion("v1alpha1").withKind("BareMetalHost").withPlural("baremetalhosts")
            .withNamespaced(true).build();

    static KubernetesMockServer server;
    static KubernetesClient client;

    @TempDir
    Path dir;

    /** The mock server is the class's (its start is most of a test's time), emptied before each test. */
    @BeforeEach
    void cluster() throws Exception {
        server.reset();
        for (String fixture : List.of("crds.yaml", "metal3-worker-0.yaml", "metal3-worker-0-secrets.yaml")) {
            apply("/io/metalboot/bootstrap/" + fixture);
        }
    }

    @Test
    void aHostClaimedByCapm3IsInspectedDeployedWithItsImageAndGivenItsUserData() throws Exception {
        Map<String, Object> specBefore = spec();
        String config = """
                agents: {heartbeat-seconds: 1, lost-after-seconds: 120}
                bootstrap: {kubeconfig: %s, metal3: {enabled: true, sync-seconds: 1}}
                """.formatted(kubeconfig());
        byte[] inventory;
        try (InputStream in = getClass().getResourceAsStream("/io/metalboot/bootstrap/inventory-worker-0.json")) {
            inventory = in.readAllBytes();
        }
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, config)) {
            String credential = HandSpokenAgent.register(appliance, MAC);
            awaitHost(status -> "inspecting".equals(status.at("/provisioning/state").asText()));
            HandSpokenAgent.inspect(appliance, credential, new String(inventory, java.nio.charset.StandardCharsets.UTF_8));

            // available, claimed by CAPM3 (consumerRef, image, online): the appliance starts the deploy itself
            JsonNode provisioning = awaitHost(status -> "provisioning".equals(status.at("/provisioning/state").asText()));
            assertEquals(4, provisioning.at("/hardware/cpu/count").asInt(), provisioning.toString());
            assertEquals("x86_64", provisioning.at("/hardware/cpu/arch").asText());
            assertEquals(8192, provisioning.at("/hardware/ramMebibytes").asInt());
            assertTrue(provisioning.at("/hardware/storage").size() >= 1, provisioning.toString());
            assertEquals("OK", provisioning.get("operationalStatus").asText());
            assertTrue(provisioning.get("poweredOn").asBoolean());
            assertEquals("http://172.22.0.1/images/ubuntu-24.04-server-cloudimg-amd64.img",
                    provisioning.at("/provisioning/image/url").asText());
            JsonNode machine = machine(appliance);
            assertEquals("provisioning", machine.get("state").asText());

            JsonNode told = HandSpokenAgent.heartbeat(appliance, credential, null);
            assertEquals("deploy", told.get("kind").asText());
            DeployInstructions instructions = JSON.treeToValue(told.get("deploy"), DeployInstructions.class);
            assertEquals("http://172.22.0.1/images/ubuntu-24.04-server-cloudimg-amd64.img", instructions.imageUrl());
            assertEquals("sha256:9f3cc5a4b0f8a1d2c3e4f5061728394a5b6c7d8e9f00112233445566778899aa",
                    instructions.checksum());
            assertEquals("qcow2", instructions.format());
            assertEquals(Map.of("name", "s== /dev/sda", "model", "<in> LAB-SSD", "size", ">= 20",
                    "serial", "s== S3Z9NB0K123456", "wwn", "s== 0x5000c500a1b2c3d4", "rotational", false),
                    instructions.rootDeviceHints(), "Metal³'s hints, mapped as Metal³ maps them");

            BootstrapDelivery delivery = JSON.readValue(appliance.send(get(appliance.bootBase() + "/agent/v1/bootstrap/"
                    + MAC).header("Authorization", "Bearer " + credential), 200), BootstrapDelivery.class);
            assertTrue(delivery.origin().contains("worker-0-user-data"), delivery.origin());
            String uid = host().at("/metadata/uid").asText(); // the API server's, as a real one assigns it
            assertEquals(uid, delivery.metaData().get("uuid"), "the host's uid");
            assertEquals("worker-0", delivery.metaData().get("metal3-name"));
            assertEquals("metal3", delivery.metaData().get("metal3-namespace"));
            assertEquals("lab-workers-7x9kq-4vz2m", delivery.metaData().get("local-hostname"), "from the metaData Secret");
            assertEquals("enp1s0", JSON.readTree(delivery.networkData()).at("/links/0/id").asText());
            byte[] userData = Base64.getDecoder().decode(delivery.userData());
            try (InputStream in = getClass().getResourceAsStream("/vectors/cabpk/worker-join-metal3.cloud-config")) {
                assertArrayEquals(in.readAllBytes(), userData, "the CABPK data CAPM3 copied into the host's Secret");
            }
            String rendered = CloudConfigCompiler.compile(userData, new InstanceData(delivery.metaData()))
                    .renderedCloudConfig();
            assertTrue(rendered.contains("value: metal3.io/uuid=" + uid), rendered);
            assertTrue(rendered.contains("name: 'worker-0'"), rendered);

            DeployedDisk disk = new DeployedDisk("/dev/sda", "S3Z9NB0K123456", instructions.checksum(), 1L << 30, "gpt",
                    null, List.of(), "/dev/sda1");
            HandSpokenAgent.heartbeat(appliance, credential, "{\"actionId\": \"" + instructions.deployId() + "\", \"status\": \"succeeded\","
                    + " \"deployed\": " + JSON.writeValueAsString(disk) + "}");
            assertEquals("provisioned", machine(appliance).get("state").asText());
            JsonNode provisioned = awaitHost(status -> "provisioned".equals(status.at("/provisioning/state").asText()));
            assertEquals(instructions.imageUrl(), provisioned.at("/provisioning/image/url").asText());
            assertEquals("qcow2", provisioned.at("/provisioning/image/format").asText());
            assertEquals(4, provisioned.at("/hardware/cpu/count").asInt(), "the hardware stays");
            String history = appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + MAC + "/history"), 200);
            assertTrue(history.contains("metal3 metal3/worker-0"), "Metal³'s host named as the deploy's cause: " + history);

            appliance.send(post(appliance.bootBase() + "/node/v1/report/" + MAC, "{\"status\": \"joined\"}")
                    .header("Authorization", "Bearer " + delivery.nodeCredential()), 204);
            assertEquals("joined", machine(appliance).get("state").asText());
            Thread.sleep(1500); // a sync pass or more after the join
            assertEquals("provisioned", host().at("/status/provisioning/state").asText(), "a joined node is provisioned");
            assertEquals(specBefore, spec(), "the spec is the operator's and CAPM3's: never written");
        }
    }

    /** A kubeconfig for the mock server, as an operator's would name a real cluster. */
    private Path kubeconfig() throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s", insecure-skip-tls-verify: true}
                users:
                - name: metalboot
                  user: {token: mock-token}
                contexts:
                - name: mock
                  context: {cluster: mock, user: metalboot}
                current-context: mock
                """.formatted(client.getMasterUrl()));
        return kubeconfig;
    }

    @Test
    void aHostImageOnTheAppliancesOwnImageServiceIsDeployedThroughAUrlSignedForTheMachine() throws Exception {
        Path image = dir.resolve("node.raw");
        Files.write(image, new byte[4096]);
        String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(image)));
        String config = """
                agents: {heartbeat-seconds: 1, lost-after-seconds: 120}
                images: {catalog: [{name: node, path: %s, format: raw, checksum: "sha256:%s"}]}
                bootstrap: {kubeconfig: %s, metal3: {enabled: true, sync-seconds: 1}}
                """.formatted(image, sha256, kubeconfig());
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, config)) {
            hostImage(Map.of("url", appliance.bootBase() + "/images/node", "checksum", sha256, "checksumType", "sha256",
                    "format", "raw"));
            String credential = HandSpokenAgent.register(appliance, MAC);
            HandSpokenAgent.inspect(appliance, credential, "{\"hostname\": \"n\"}");
            awaitHost(status -> "provisioning".equals(status.at("/provisioning/state").asText()));
            DeployInstructions instructions = JSON.treeToValue(HandSpokenAgent.heartbeat(appliance, credential, null).get("deploy"),
                    DeployInstructions.class);
            String url = instructions.imageUrl();
            assertTrue(url.startsWith(appliance.bootBase() + "/images/node?") && url.contains("machine=" + java.net.URLEncoder.encode(MAC.toString(), java.nio.charset.StandardCharsets.UTF_8))
                    && url.contains("sig="), "the catalog's image, signed for this machine: " + url.replaceAll("sig=.*", "sig=…"));
            assertEquals("sha256:" + sha256, instructions.checksum());
            assertEquals("raw", instructions.format());
        }
    }

    @Test
    void aChecksumFileUrlIsRefusedInTheHostsStatusAndNoDeployStarts() throws Exception {
        hostImage(Map.of("url", "http://172.22.0.1/images/node.qcow2", "checksum",
                "http://172.22.0.1/images/node.qcow2.sha256sum", "checksumType", "sha256", "format", "qcow2"));
        String config = """
                agents: {heartbeat-seconds: 1, lost-after-seconds: 120}
                bootstrap: {kubeconfig: %s, metal3: {enabled: true, sync-seconds: 1}}
                """.formatted(kubeconfig());
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, config)) {
            String credential = HandSpokenAgent.register(appliance, MAC);
            HandSpokenAgent.inspect(appliance, credential, "{\"hostname\": \"n\"}");
            JsonNode refused = awaitHost(status -> "error".equals(status.path("operationalStatus").asText()));
            assertEquals("available", refused.at("/provisioning/state").asText(), refused.toString());
            assertTrue(refused.path("errorMessage").asText().contains("checksum is a URL"), refused.toString());
            assertEquals("available", machine(appliance).get("state").asText(), "no deploy started");
            assertEquals("wait", HandSpokenAgent.heartbeat(appliance, credential, null).get("kind").asText());
        }
    }

    private static void apply(String resource) throws Exception {
        try (InputStream in = Metal3ChainTest.class.getResourceAsStream(resource)) {
            for (HasMetadata item : client.load(in).items()) {
                if (item instanceof GenericKubernetesResource host && "BareMetalHost".equals(host.getKind())) {
                    client.genericKubernetesResources(HOSTS).inNamespace(host.getMetadata().getNamespace()).resource(host)
                            .create();
                } else {
                    client.resource(item).create();
                }
            }
        }
    }

    /** The host's spec.image replaced, as an operator (or CAPM3) would edit it. */
    private static void hostImage(Map<String, Object> image) {
        GenericKubernetesResource host = client.genericKubernetesResources(HOSTS).inNamespace("metal3")
                .withName("worker-0").get();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) host.getAdditionalProperties().get("spec");
        spec.put("image", image);
        client.genericKubernetesResources(HOSTS).inNamespace("metal3").resource(host).update();
    }

    private static JsonNode host() {
        return JSON.valueToTree(client.genericKubernetesResources(HOSTS).inNamespace("metal3").withName("worker-0").get());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec() {
        return (Map<String, Object>) client.genericKubernetesResources(HOSTS).inNamespace("metal3").withName("worker-0")
                .get().getAdditionalProperties().get("spec");
    }

    /** The host's status once it shows what the test waits for (the appliance syncs every second). */
    private static JsonNode awaitHost(Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = host().get("status");
            if (status != null && until.test(status)) {
                return status;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within 30 s; the host's status is " + status);
    }

    private static JsonNode machine(InProcessAppliance appliance) throws Exception {
        return HandSpokenAgent.machine(appliance, MAC);
    }
}
