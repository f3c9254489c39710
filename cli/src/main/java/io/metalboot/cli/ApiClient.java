package io.metalboot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The operator API over HTTP/1.1, JSON both ways, the bearer token on every call. Whatever goes
 * wrong becomes a {@link CommandFailure} that says the API's own words for it, the call (method
 * and URL) and its status, with the exit code for its kind.
 */
final class ApiClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** A call answers at once, except a local image's PUT, which reads the file through first. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    /** A call's status and its JSON body (null for none). */
    record Reply(int status, JsonNode body) {
    }

    private final URI base;
    private final TokenFile tokenFile;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).build();
    private String token;

    ApiClient(URI base, TokenFile tokenFile, ObjectMapper json) {
        this.base = base;
        this.tokenFile = tokenFile;
        this.json = json;
    }

    JsonNode get(String path) {
        return send("GET", path, null, CALL_TIMEOUT).body();
    }

    JsonNode post(String path, JsonNode body) {
        return send("POST", path, body, CALL_TIMEOUT).body();
    }

    JsonNode put(String path, JsonNode body) {
        return send("PUT", path, body, CALL_TIMEOUT).body();
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null, CALL_TIMEOUT).body();
    }

    /** One call; a 2xx reply, or a {@link CommandFailure}. */
    Reply send(String method, String path, JsonNode body, Duration timeout) {
        if (token == null) {
            token = tokenFile.read();
        }
        URI uri = URI.create(base.toString().replaceFirst("/+$", "") + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        try {
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<byte[]> reply = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode answer = parse(reply.body());
            if (reply.statusCode() / 100 != 2) {
                throw refusal(method + " " + uri, reply.statusCode(), answer, reply.body());
            }
            return new Reply(reply.statusCode(), answer);
        } catch (ConnectException e) {
            throw CommandFailure.failed("cannot connect to the operator API at " + base + " (" + method + " " + uri
                    + "): " + message(e, "connection refused") + "; is the appliance running there? (--api URL or"
                    + " METALBOOT_API)");
        } catch (HttpTimeoutException e) {
            throw CommandFailure.failed("no answer within " + timeout.toSeconds() + " s (" + method + " " + uri + ")");
        } catch (IOException e) {
            throw CommandFailure.failed(method + " " + uri + ": " + message(e, e.getClass().getSimpleName()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CommandFailure.failed("interrupted (" + method + " " + uri + ")");
        }
    }

    private JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The API's {"error", "field"} (or the first line of a body that is not JSON), with the call and its status. */
    private CommandFailure refusal(String call, int status, JsonNode answer, byte[] body) {
        String where = " (" + call + ": " + status + ")";
        if (status == 401 || status == 403) {
            return new CommandFailure(ExitCode.REFUSED, "the operator API refused the token in " + tokenFile.path()
                    + where + ": it is not the appliance's current one (rotated since?), or this is another appliance");
        }
        String error;
        if (answer != null && answer.hasNonNull("error")) {
            error = answer.get("error").asText();
        } else {
            String text = new String(body, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
            error = text.isEmpty() ? "no detail" : text.length() > 200 ? text.substring(0, 200) + "…" : text;
        }
        String message = error + where;
        return switch (status) {
            case 404 -> new CommandFailure(ExitCode.NOT_FOUND, message);
            case 400, 409 -> new CommandFailure(ExitCode.REFUSED, message);
            default -> CommandFailure.failed(message);
        };
    }

    /** The first message along the causes (the JDK client's often have none), else {@code otherwise}. */
    private static String message(Throwable e, String otherwise) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
        }
        return otherwise;
    }

    /**
     * {@code value} as one path segment: unreserved characters and ':' stay (a MAC reads as typed),
     * everything else is percent-encoded, '/' too (the API takes a label key's prefix as %2F).
     */
    static String segment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~:".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
