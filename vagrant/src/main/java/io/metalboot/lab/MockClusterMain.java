package io.metalboot.lab;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * The lab's management cluster: fabric8's Kubernetes mock server in CRUD mode as a process of its
 * own (no kube-apiserver is packaged where these machines reach; the appliance's client code is
 * the one a real cluster gets). It listens on 127.0.0.1 of the namespace it is started in, creates
 * every object of the YAML files given, writes a kubeconfig for itself and prints
 * {@value #READY_LINE}; it runs until killed.
 *
 * <pre>MockClusterMain PORT KUBECONFIG FIXTURE.yaml...</pre>
 */
public final class MockClusterMain {
    static final String READY_LINE = "mock-cluster ready";
    /** Custom resources are created under their type (the CRUD mock knows them by their CRDs). */
    private static final ResourceDefinitionContext HOSTS = new ResourceDefinitionContext.Builder()
            .withGroup("metal3.io").withVersion("v1alpha1").withKind("BareMetalHost").withPlural("baremetalhosts")
            .withNamespaced(true).build();

    private MockClusterMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: MockClusterMain PORT KUBECONFIG FIXTURE.yaml...");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getByName("127.0.0.1"), port);
        try (NamespacedKubernetesClient client = server.createClient()) {
            for (int i = 2; i < args.length; i++) {
                try (InputStream in = Files.newInputStream(Path.of(args[i]))) {
                    for (HasMetadata item : client.load(in).items()) {
                        if (item instanceof GenericKubernetesResource host && "BareMetalHost".equals(host.getKind())) {
                            client.genericKubernetesResources(HOSTS).inNamespace(host.getMetadata().getNamespace())
                                    .resource(host).create();
                        } else {
                            client.resource(item).create();
                        }
                        System.out.println("mock-cluster: created " + item.getKind() + " "
                                + item.getMetadata().getNamespace() + "/" + item.getMetadata().getName());
                    }
                }
            }
        }
        Files.writeString(Path.of(args[1]), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: lab
                  cluster: {server: "http://127.0.0.1:%d"}
                users:
                - name: metalboot
                  user: {token: lab-mock-token}
                contexts:
                - name: lab
                  context: {cluster: lab, user: metalboot}
                current-context: lab
                """.formatted(port), StandardCharsets.UTF_8);
        System.out.println(READY_LINE + " on 127.0.0.1:" + port);
        Thread.currentThread().join();
    }
}
