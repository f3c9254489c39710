package io.metalboot.appliance.tftp.server;

import io.metalboot.appliance.tftp.model.ReadRequest;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The transfer parameters agreed for one read request (RFC 2347 framework; blksize RFC 2348;
 * tsize and timeout RFC 2349; windowsize RFC 7440). Options this server does not know, or whose
 * value it cannot use, are left out of the OACK, which RFC 2347 allows; an empty OACK is never
 * sent: the transfer then starts with DATA 1, as for a client that asked for nothing.
 *
 * @param oack the accepted options, names as the client spelt them, in its order
 */
public record TftpNegotiation(int blockSize, int windowSize, Duration timeout, Map<String, String> oack) {
    public static final int DEFAULT_BLOCK_SIZE = 512;

    /**
     * @param blockSizeLimit the largest blksize this transfer may use (config and interface MTU)
     * @param size           the transfer size as sent (after netascii conversion)
     */
    public static TftpNegotiation negotiate(ReadRequest request, int blockSizeLimit, int windowSizeLimit,
            Duration defaultTimeout, long size) {
        int blockSize = DEFAULT_BLOCK_SIZE;
        int windowSize = 1;
        Duration timeout = defaultTimeout;
        Map<String, String> oack = new LinkedHashMap<>();
        for (Map.Entry<String, String> option : request.options().entrySet()) {
            long value = number(option.getValue());
            switch (option.getKey().toLowerCase(Locale.ROOT)) {
                case "blksize" -> {
                    if (value >= TftpSettings.MIN_BLOCK_SIZE) {
                        blockSize = (int) Math.min(Math.min(value, TftpSettings.MAX_BLOCK_SIZE), blockSizeLimit);
                        oack.put(option.getKey(), Integer.toString(blockSize));
                    }
                }
                case "tsize" -> {
                    if (value >= 0) {
                        oack.put(option.getKey(), Long.toString(size));
                    }
                }
                case "timeout" -> {
                    if (value >= 1 && value <= 255) {
                        timeout = Duration.ofSeconds(value);
                        oack.put(option.getKey(), Long.toString(value));
                    }
                }
                case "windowsize" -> {
                    if (value >= 1 && value <= 65535) {
                        windowSize = (int) Math.min(value, windowSizeLimit);
                        oack.put(option.getKey(), Integer.toString(windowSize));
                    }
                }
                default -> {
                    // Unknown options are ignored (RFC 2347): e.g. "multicast", "utimeout".
                }
            }
        }
        return new TftpNegotiation(blockSize, windowSize, timeout, Collections.unmodifiableMap(oack));
    }

    /** A decimal option value, or -1 if it is not one (a bad value drops only that option). */
    static long number(String value) {
        if (value.isEmpty() || value.length() > 10) {
            return -1;
        }
        long result = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            result = result * 10 + (c - '0');
        }
        return result;
    }
}
