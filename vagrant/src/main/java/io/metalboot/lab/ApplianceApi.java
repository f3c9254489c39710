package io.metalboot.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The appliance's operator API ({@code /api/v1/machines}) as an operator uses it: from the
 * appliance's own host (curl inside the appliance namespace, to its loopback listener), with the
 * token read from the state directory. The header with the token goes to curl in a file of mode
 * 0600 ({@code -H @file}), never on a command line another process could read. The lab has no
 * JSON library; the few fields a scenario reads are flat strings, found by {@link #field}.
 *
 * <p>{@link #unauthenticated} is the same calls without a token from anywhere, to show what the
 * provisioning network gets.
 */
final class ApplianceApi {
    private static final Duration CALL = Duration.ofSeconds(10);
    private static final String STATUS_MARK = "\nHTTP-STATUS:";

    /** One answer: the status code and the body. */
    record Reply(int status, String body) {
        /** A top-level string field of a JSON object; empty when absent or null. */
        Optional<String> field(String name) {
            return ApplianceApi.field(body, name);
        }
    }

    private final Namespace from;
    private final String baseUrl;
    private final Path tokenFile;

    private ApplianceApi(Namespace from, String baseUrl, Path tokenFile) {
        this.from = from;
        this.baseUrl = baseUrl;
        this.tokenFile = tokenFile;
    }

    /** An operator on the appliance's host: its loopback listener ({@code api.listen}'s default) and its token. */
    static ApplianceApi operator(Namespace appliance, Path stateDir) {
        return new ApplianceApi(appliance, "http://127.0.0.1:" + ApplianceConfig.OPERATOR_PORT,
                stateDir.resolve("api.token"));
    }

    /** Calls with no token, from {@code from} to {@code baseUrl}. */
    static ApplianceApi unauthenticated(Namespace from, String baseUrl) {
        return new ApplianceApi(from, baseUrl, null);
    }

    Reply get(String path) {
        return call(List.of(), path);
    }

    Reply post(String path, String json) {
        return call(List.of("-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json), path);
    }

    /** A POST with this {@code Authorization: Bearer} value (a forged one: real secrets never go on a command line). */
    Reply postWithBearer(String path, String json, String bearer) {
        return call(List.of("-X", "POST", "-H", "Content-Type: application/json", "-H", "Authorization: Bearer " + bearer,
                "--data-binary", json), path);
    }

    /** {@code GET /api/v1/machines/MAC}. */
    Reply machine(String mac) {
        return get("/api/v1/machines/" + mac);
    }

    /** {@code POST /api/v1/machines/MAC/state}: what an operator (or the agent) does to move a machine on. */
    Reply setState(String mac, String state, String reason) {
        return post("/api/v1/machines/" + mac + "/state",
                "{\"state\":\"" + state + "\",\"reason\":\"" + reason + "\"}");
    }

    /** {@code GET /api/v1/machines/MAC/inventory}: what the agent reported. */
    Reply inventory(String mac) {
        return get("/api/v1/machines/" + mac + "/inventory");
    }

    /**
     * {@code POST /api/v1/machines/MAC/deploy}: catalog image {@code image}, with root-device hints
     * (empty: none, the agent picks the smallest disk of at least 4 GiB); 202 and the deploy id.
     */
    Reply deploy(String mac, String image, java.util.Map<String, String> rootDeviceHints) {
        var body = new StringBuilder("{\"image\":\"").append(image).append('"');
        if (!rootDeviceHints.isEmpty()) {
            body.append(",\"rootDeviceHints\":{");
            String comma = "";
            for (var hint : new java.util.TreeMap<>(rootDeviceHints).entrySet()) {
                body.append(comma).append('"').append(hint.getKey()).append("\":\"").append(hint.getValue()).append('"');
                comma = ",";
            }
            body.append('}');
        }
        return post("/api/v1/machines/" + mac + "/deploy", body.append('}').toString());
    }

    /** {@code POST /api/v1/machines/MAC/actions}: {@code inspect}, {@code power-off} or {@code reboot}, for the agent. */
    Reply requestAction(String mac, String kind) {
        return post("/api/v1/machines/" + mac + "/actions", "{\"kind\":\"" + kind + "\"}");
    }

    private Reply call(List<String> options, String path) {
        var argv = new java.util.ArrayList<>(List.of(Tool.CURL.path(), "-sS", "--max-time", Long.toString(CALL.toSeconds()),
                "-w", STATUS_MARK + "%{http_code}"));
        argv.addAll(options);
        if (tokenFile != null) {
            argv.addAll(List.of("-H", "@" + authorizationHeader()));
        }
        argv.add(baseUrl + path);
        String output = Command.run(CALL.plusSeconds(5), from.exec(argv));
        int mark = output.lastIndexOf(STATUS_MARK);
        if (mark < 0) {
            throw new LabException("curl " + baseUrl + path + " printed no status: " + output);
        }
        return new Reply(Integer.parseInt(output.substring(mark + STATUS_MARK.length()).strip()), output.substring(0, mark));
    }

    /**
     * A 0600 file beside the token holding the header curl sends. Synchronized: run-lab observes its
     * machines on threads of their own, which call the API at the same time and would race for it.
     */
    private synchronized Path authorizationHeader() {
        Path header = tokenFile.resolveSibling("operator-authorization.header");
        try {
            String token = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
            Files.deleteIfExists(header);
            Files.createFile(header, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(header, "Authorization: Bearer " + token + "\n", StandardCharsets.US_ASCII);
            return header;
        } catch (IOException e) {
            throw new LabException("cannot read the operator token " + tokenFile, e);
        }
    }

    /**
     * {@code POST /api/v1/images/NAME/signed-url} for {@code machine}, an hour long: a URL of the
     * image service for an Ironic node's {@code instance_info.image_source}.
     */
    String signedUrl(String image, String machine) {
        var reply = post("/api/v1/images/" + image + "/signed-url",
                "{\"machine\":\"" + machine + "\",\"lifetimeSeconds\":3600}");
        if (reply.status() != 200) {
            throw new LabException("signed URL for " + image + ": " + reply.status() + " " + reply.body());
        }
        return reply.field("url").orElseThrow(() -> new LabException("no url in " + reply.body()));
    }

    static Optional<String> field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    @Override
    public String toString() {
        return "API " + baseUrl + " from " + from.name();
    }
}
