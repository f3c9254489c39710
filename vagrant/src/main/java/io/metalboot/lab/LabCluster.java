package io.metalboot.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The lab's management cluster: {@link MockClusterMain} as a process in the appliance's namespace
 * (the appliance reaches it on that namespace's 127.0.0.1 by the kubeconfig it writes), holding
 * a BareMetalHost per machine as Cluster API's Metal³ provider (CAPM3) leaves it, each with a
 * CABPK-shaped bootstrap Secret made from the metal3 vector.
 */
final class LabCluster {
    static final int PORT = 6443;
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Path METAL3_VECTOR = Path.of("cloud-config/src/test/resources/vectors/cabpk/"
            + "worker-join-metal3.cloud-config");

    /** One machine's host: its name, the machine, its image (a catalog entry on the appliance) and its hint. */
    record Host(String name, MachineSpec spec, DeployImage image, String rootDeviceHint) {
    }

    private final LabNetwork network;
    private final Path kubeconfig;

    private LabCluster(LabNetwork network, Path kubeconfig) {
        this.network = network;
        this.kubeconfig = kubeconfig;
    }

    /** Starts it with the hosts; {@code repo} is the clone (the vector is read from cloud-config's tests). */
    static LabCluster start(LabNetwork network, Path repo, List<Host> hosts) {
        Path dir = network.workDir().resolve("cluster");
        Path kubeconfig = network.workDir().resolve("kubeconfig");
        List<String> argv = new ArrayList<>(List.of(ApplianceProcess.javaBinary(), "-cp",
                System.getProperty("java.class.path"), MockClusterMain.class.getName(), Integer.toString(PORT),
                kubeconfig.toString()));
        try {
            Files.createDirectories(dir);
            byte[] vector = Files.readAllBytes(repo.resolve(METAL3_VECTOR));
            Files.writeString(dir.resolve("00-crds.yaml"), BAREMETALHOST_CRD);
            argv.add(dir.resolve("00-crds.yaml").toString());
            for (Host host : hosts) {
                Path file = dir.resolve("10-" + host.name() + ".yaml");
                Files.writeString(file, yaml(host, vector));
                argv.add(file.toString());
            }
        } catch (IOException e) {
            throw new LabException("cannot write the cluster's objects in " + dir, e);
        }
        ChildProcess mock = network.adopt(ChildProcess.start("mock-cluster", network.appliance().exec(argv),
                network.workDir().resolve("mock-cluster.log")));
        if (mock.lines().await(line -> line.contains(MockClusterMain.READY_LINE), READY).isEmpty()) {
            throw new LabException("the mock cluster did not get ready within " + READY);
        }
        return new LabCluster(network, kubeconfig);
    }

    /** The appliance's {@code bootstrap:} for this cluster: Metal³'s provisioner, a sync every two seconds. */
    String bootstrapConfig() {
        return "{kubeconfig: \"" + kubeconfig + "\", metal3: {enabled: true, sync-seconds: 2}}";
    }

    /** The host as the cluster holds it now, read from inside the appliance's namespace. */
    JsonNode host(String name) {
        try {
            return new ObjectMapper().readTree(Command.run(network.appliance().exec(List.of(Tool.CURL.path(), "-sf",
                    "http://127.0.0.1:" + PORT + "/apis/metal3.io/v1alpha1/namespaces/metal3/baremetalhosts/" + name))));
        } catch (IOException e) {
            throw new LabException("the mock cluster's answer for " + name + " is no JSON", e);
        }
    }

    private static String yaml(Host host, byte[] vector) {
        String imageUrl = "http://" + LabNetwork.PROVISIONING.applianceAddress() + ":" + ApplianceConfig.HTTP_PORT
                + "/images/" + host.image().name();
        return """
                apiVersion: metal3.io/v1alpha1
                kind: BareMetalHost
                metadata: {name: %1$s, namespace: metal3}
                spec:
                  online: true
                  bootMACAddress: "%2$s"
                  bootMode: %3$s
                  rootDeviceHints: {%4$s}
                  image: {url: "%5$s", checksum: "%6$s", checksumType: sha256, format: %7$s}
                  consumerRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: Metal3Machine, name: %1$s, namespace: metal3}
                  userData: {name: %1$s-bootstrap, namespace: metal3}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: %1$s-bootstrap, namespace: metal3}
                type: cluster.x-k8s.io/secret
                data: {value: %8$s, format: %9$s}
                """.formatted(host.name(), host.spec().mac(), host.spec().firmware() == Firmware.UEFI_OWN_PXE ? "UEFI"
                        : "legacy", host.rootDeviceHint(), imageUrl, host.image().sha256(), host.image().format(),
                Base64.getEncoder().encodeToString(vector),
                Base64.getEncoder().encodeToString("cloud-config".getBytes(StandardCharsets.UTF_8)));
    }

    /** Metal³'s CRD, cut to what the CRUD mock reads: names, version, scope, the status subresource. */
    private static final String BAREMETALHOST_CRD = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: baremetalhosts.metal3.io}
            spec:
              group: metal3.io
              names: {kind: BareMetalHost, listKind: BareMetalHostList, plural: baremetalhosts, singular: baremetalhost}
              scope: Namespaced
              versions:
              - name: v1alpha1
                served: true
                storage: true
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
                subresources: {status: {}}
            """;
}
