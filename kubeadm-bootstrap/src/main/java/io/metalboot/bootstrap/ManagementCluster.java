package io.metalboot.bootstrap;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The client of the management cluster the appliance answers to, from one kubeconfig file and
 * nothing else: its own current context, no in-cluster service account, no KUBECONFIG or
 * ~/.kube/config, no KUBERNETES_MASTER or kubernetes.* system properties. What the appliance
 * talks to is the file the operator named.
 */
public final class ManagementCluster {
    private ManagementCluster() {
    }

    /**
     * @throws UncheckedIOException     when the file cannot be read
     * @throws IllegalArgumentException when it is no kubeconfig with a current context
     */
    public static KubernetesClient connect(Path kubeconfig) {
        if (!Files.isReadable(kubeconfig)) {
            throw new UncheckedIOException(new IOException("kubeconfig " + kubeconfig + " cannot be read"));
        }
        Config config;
        try {
            // Config.empty() underneath: Config.autoConfigure's fallbacks are never asked
            config = Config.fromKubeconfig(null, kubeconfig.toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("kubeconfig " + kubeconfig + " is not a usable kubeconfig: "
                    + e.getClass().getSimpleName());
        }
        if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
            throw new IllegalArgumentException("kubeconfig " + kubeconfig + " names no server in its current context");
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
