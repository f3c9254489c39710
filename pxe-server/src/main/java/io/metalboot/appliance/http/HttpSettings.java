package io.metalboot.appliance.http;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the HTTP server needs to run, already checked (the appliance builds it from its config;
 * tests build it directly).
 *
 * @param bindAddress         address of the listening socket (0.0.0.0: all)
 * @param port                listening port (0: any free port, for tests)
 * @param assetsRoot          directory served read-only under {@link #ASSETS_PREFIX}
 * @param extraMounts         further read-only directories by URL prefix, e.g. "/ipxe/" →
 *                            /usr/lib/ipxe (each prefix starts and ends with '/')
 * @param maxRequestBodyBytes larger request bodies are answered 413
 * @param idleTimeout         a connection with no traffic either way for this long is closed
 * @param ioThreads           event loop threads (0: one per CPU)
 */
public record HttpSettings(
        InetAddress bindAddress,
        int port,
        Path assetsRoot,
        Map<String, Path> extraMounts,
        int maxRequestBodyBytes,
        Duration idleTimeout,
        int ioThreads) {

    /** The URL prefix {@link #assetsRoot} is served under. */
    public static final String ASSETS_PREFIX = "/assets/";

    public HttpSettings {
        if (bindAddress == null || assetsRoot == null || idleTimeout == null) {
            throw new IllegalArgumentException("bindAddress, assetsRoot and idleTimeout are required");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port 0..65535, not " + port);
        }
        // Copied in order: the log lists mounts as they were given.
        extraMounts = extraMounts == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extraMounts));
        for (String prefix : extraMounts.keySet()) {
            if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 3) {
                throw new IllegalArgumentException("mount prefix must look like /name/, not " + prefix);
            }
            if (prefix.equals(ASSETS_PREFIX)) {
                throw new IllegalArgumentException(ASSETS_PREFIX + " is the assets root's prefix");
            }
        }
        if (maxRequestBodyBytes < 0) {
            throw new IllegalArgumentException("maxRequestBodyBytes >= 0");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads >= 0");
        }
    }

    /** 1 MiB bodies, 60 s idle timeout, one event loop per CPU, no extra mounts. */
    public static HttpSettings defaults(InetAddress bindAddress, int port, Path assetsRoot) {
        return new HttpSettings(bindAddress, port, assetsRoot, Map.of(), 1 << 20, Duration.ofSeconds(60), 0);
    }

    /** The same settings with {@code directory} also served read-only under {@code prefix}. */
    public HttpSettings withMount(String prefix, Path directory) {
        Map<String, Path> mounts = new LinkedHashMap<>(extraMounts);
        mounts.put(prefix, directory);
        return new HttpSettings(bindAddress, port, assetsRoot, mounts, maxRequestBodyBytes, idleTimeout, ioThreads);
    }

    public HttpSettings withMaxRequestBodyBytes(int newMaxRequestBodyBytes) {
        return new HttpSettings(bindAddress, port, assetsRoot, extraMounts, newMaxRequestBodyBytes, idleTimeout, ioThreads);
    }

    public HttpSettings withIoThreads(int newIoThreads) {
        return new HttpSettings(bindAddress, port, assetsRoot, extraMounts, maxRequestBodyBytes, idleTimeout, newIoThreads);
    }

    /** Every served directory by URL prefix: the assets root first, then the extra mounts. */
    Map<String, Path> mounts() {
        Map<String, Path> all = new LinkedHashMap<>();
        all.put(ASSETS_PREFIX, assetsRoot);
        all.putAll(extraMounts);
        return all;
    }
}
