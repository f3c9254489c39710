package io.metalboot.appliance.tftp.server;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What the TFTP server needs to run, already checked and resolved (the appliance builds it from
 * its config; tests build it directly).
 *
 * @param bindAddress       address of the listening socket and of every transfer's socket
 *                          (0.0.0.0: each transfer answers from the address its request came to)
 * @param port              listening port (0: any free port, for tests)
 * @param interfaceName     the interface {@code bindAddress} belongs to, for the log only (null: all)
 * @param root              directory served, read-only
 * @param aliases           requested name or prefix (ending in '/') → name inside the root
 * @param maxBlockSize      upper bound for a negotiated blksize (the interface MTU bounds it too)
 * @param maxWindowSize     upper bound for a negotiated windowsize
 * @param retransmitTimeout wait for an ACK before resending, unless the client set "timeout"
 * @param maxRetries        resends of the same window before the transfer is given up
 * @param maxTransfers      transfers running at once; a request beyond gets "server busy"
 * @param cachedFiles       files kept mapped in memory for the next client
 */
public record TftpSettings(
        InetAddress bindAddress,
        int port,
        String interfaceName,
        Path root,
        Map<String, String> aliases,
        int maxBlockSize,
        int maxWindowSize,
        Duration retransmitTimeout,
        int maxRetries,
        int maxTransfers,
        int cachedFiles) {

    /** The protocol's own limits for blksize (RFC 2348). */
    public static final int MIN_BLOCK_SIZE = 8;
    public static final int MAX_BLOCK_SIZE = 65464;

    public TftpSettings {
        if (bindAddress == null || root == null || retransmitTimeout == null) {
            throw new IllegalArgumentException("bindAddress, root and retransmitTimeout are required");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port 0..65535, not " + port);
        }
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
        if (maxBlockSize < MIN_BLOCK_SIZE || maxBlockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("maxBlockSize " + MIN_BLOCK_SIZE + ".." + MAX_BLOCK_SIZE);
        }
        if (maxWindowSize < 1 || maxWindowSize > 65535) {
            throw new IllegalArgumentException("maxWindowSize 1..65535");
        }
        if (retransmitTimeout.isNegative() || retransmitTimeout.isZero()) {
            throw new IllegalArgumentException("retransmitTimeout must be positive");
        }
        if (maxRetries < 0 || maxTransfers < 1 || cachedFiles < 0) {
            throw new IllegalArgumentException("maxRetries >= 0, maxTransfers >= 1, cachedFiles >= 0");
        }
    }

    /** Defaults as in metalboot-defaults.yaml, on {@code bindAddress:port}, serving {@code root}. */
    public static TftpSettings defaults(InetAddress bindAddress, int port, Path root) {
        return new TftpSettings(bindAddress, port, null, root, Map.of(), 1468, 64, Duration.ofSeconds(1), 5, 1000, 64);
    }

    public TftpSettings withAliases(Map<String, String> newAliases) {
        return new TftpSettings(bindAddress, port, interfaceName, root, newAliases, maxBlockSize, maxWindowSize,
                retransmitTimeout, maxRetries, maxTransfers, cachedFiles);
    }

    public TftpSettings withLimits(int newMaxBlockSize, int newMaxWindowSize, int newMaxTransfers) {
        return new TftpSettings(bindAddress, port, interfaceName, root, aliases, newMaxBlockSize, newMaxWindowSize,
                retransmitTimeout, maxRetries, newMaxTransfers, cachedFiles);
    }

    public TftpSettings withRetransmission(Duration newTimeout, int newMaxRetries) {
        return new TftpSettings(bindAddress, port, interfaceName, root, aliases, maxBlockSize, maxWindowSize,
                newTimeout, newMaxRetries, maxTransfers, cachedFiles);
    }
}
