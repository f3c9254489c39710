package io.metalboot.http;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the HTTP server needs to run, already checked (the appliance builds it from its config;
 * tests build it directly).
 *
 * @param name                what the log calls this listener ("HTTP", "operator API")
 * @param bindAddress         address of the listening socket (0.0.0.0: all)
 * @param port                listening port (0: any free port, for tests)
 * @param mounts              read-only directories by URL prefix, e.g. "/assets/" →
 *                            /var/lib/metalboot/assets (each prefix starts and ends with '/'); none
 *                            is built in
 * @param maxRequestBodyBytes bodies an endpoint reads whole ({@link HttpCall#body()}) may be this
 *                            long (longer: 413); a body read as a stream
 *                            ({@link HttpCall#bodyStream()}) has no limit
 * @param idleTimeout         a connection with no traffic either way for this long is closed
 * @param ioThreads           event loop threads (0: one per CPU)
 */
public record HttpSettings(
        String name,
        InetAddress bindAddress,
        int port,
        Map<String, Path> mounts,
        int maxRequestBodyBytes,
        Duration idleTimeout,
        int ioThreads) {

    public HttpSettings {
        if (name == null || name.isBlank() || bindAddress == null || idleTimeout == null) {
            throw new IllegalArgumentException("name, bindAddress and idleTimeout are required");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port 0..65535, not " + port);
        }
        // Copied in order: the log lists mounts as they were given.
        mounts = mounts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(mounts));
        for (String prefix : mounts.keySet()) {
            if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 3) {
                throw new IllegalArgumentException("mount prefix must look like /name/, not " + prefix);
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

    /** "HTTP", no mounts, 1 MiB whole bodies, 60 s idle timeout, one event loop per CPU. */
    public static HttpSettings defaults(InetAddress bindAddress, int port) {
        return new HttpSettings("HTTP", bindAddress, port, Map.of(), 1 << 20, Duration.ofSeconds(60), 0);
    }

    /** The same settings with {@code directory} also served read-only under {@code prefix}. */
    public HttpSettings withMount(String prefix, Path directory) {
        if (mounts.containsKey(prefix)) {
            throw new IllegalArgumentException("two mounts at " + prefix);
        }
        Map<String, Path> more = new LinkedHashMap<>(mounts);
        more.put(prefix, directory);
        return new HttpSettings(name, bindAddress, port, more, maxRequestBodyBytes, idleTimeout, ioThreads);
    }

    public HttpSettings withName(String newName) {
        return new HttpSettings(newName, bindAddress, port, mounts, maxRequestBodyBytes, idleTimeout, ioThreads);
    }

    public HttpSettings withMaxRequestBodyBytes(int newMaxRequestBodyBytes) {
        return new HttpSettings(name, bindAddress, port, mounts, newMaxRequestBodyBytes, idleTimeout, ioThreads);
    }

    public HttpSettings withIoThreads(int newIoThreads) {
        return new HttpSettings(name, bindAddress, port, mounts, maxRequestBodyBytes, idleTimeout, newIoThreads);
    }
}
