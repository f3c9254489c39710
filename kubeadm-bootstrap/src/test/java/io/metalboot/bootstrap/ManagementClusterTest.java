package io.metalboot.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagementClusterTest {
    @TempDir
    Path dir;

    @Test
    void theFilesOwnCurrentContextIsUsed() throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mgmt
                  cluster: {server: "https://192.0.2.10:6443", insecure-skip-tls-verify: true}
                - name: other
                  cluster: {server: "https://192.0.2.99:6443"}
                users:
                - name: appliance
                  user: {token: not-a-real-token}
                contexts:
                - name: mgmt
                  context: {cluster: mgmt, user: appliance, namespace: metal3}
                - name: other
                  context: {cluster: other, user: appliance}
                current-context: mgmt
                """);
        try (KubernetesClient client = ManagementCluster.connect(kubeconfig)) {
            assertEquals("https://192.0.2.10:6443/", client.getConfiguration().getMasterUrl());
            assertEquals("metal3", client.getConfiguration().getNamespace());
        }
    }

    @Test
    void aMissingFileIsNoFallback() {
        assertThrows(UncheckedIOException.class, () -> ManagementCluster.connect(dir.resolve("absent")));
    }
}
