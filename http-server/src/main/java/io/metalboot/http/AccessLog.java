package io.metalboot.http;

import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * One DEBUG line per request on logger "http". Boot tokens and URL signatures travel in query
 * strings, so the value of every query parameter whose name contains "token", or is "sig" or
 * "signature", is replaced before anything is logged.
 */
final class AccessLog {
    static final System.Logger LOG = System.getLogger("http");
    static final String REDACTED = "REDACTED";

    private AccessLog() {
    }

    static boolean enabled() {
        return LOG.isLoggable(Level.DEBUG);
    }

    static void request(String method, String uri, int status, long bytes, long startNanos, SocketAddress remote,
            String note) {
        if (!enabled()) {
            return;
        }
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        LOG.log(Level.DEBUG, "{0} {1} {2} {3} bytes {4} ms from {5}{6}", method, redact(uri),
                Integer.toString(status), bytes < 0 ? "(aborted)" : Long.toString(bytes), Long.toString(ms),
                hostAndPort(remote), note == null ? "" : " (" + note + ")");
    }

    /** {@code uri} with the value of every "*token*", "sig" and "signature" query parameter replaced. */
    static String redact(String uri) {
        int question = uri.indexOf('?');
        if (question < 0) {
            return uri;
        }
        StringBuilder out = new StringBuilder(uri.length()).append(uri, 0, question + 1);
        String[] pairs = uri.substring(question + 1).split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            if (i > 0) {
                out.append('&');
            }
            String pair = pairs[i];
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            // Decoded check too: "%74oken" is still a token.
            String decodedName = AssetDirectory.percentDecode(name);
            String lower = (decodedName == null ? name : decodedName).toLowerCase(Locale.ROOT);
            boolean secret = lower.contains("token") || lower.equals("sig") || lower.equals("signature");
            out.append(secret && equals >= 0 ? name + "=" + REDACTED : pair);
        }
        return out.toString();
    }

    static String hostAndPort(SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
