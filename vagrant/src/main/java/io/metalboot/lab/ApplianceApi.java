package io.metalboot.lab;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The appliance's REST API ({@code /api/v1/machines}) as an operator on the provisioning segment
 * uses it: curl run in the hub namespace, from {@link LabNetwork#OPERATOR_ADDRESS}. The lab has no
 * JSON library; the few fields a scenario reads are flat strings, found by {@link #field}.
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

    ApplianceApi(Namespace from, String baseUrl) {
        this.from = from;
        this.baseUrl = baseUrl;
    }

    Reply get(String path) {
        return call(List.of(), path);
    }

    Reply post(String path, String json) {
        return call(List.of("-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json), path);
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

    private Reply call(List<String> options, String path) {
        var argv = new java.util.ArrayList<>(List.of(Tool.CURL.path(), "-sS", "--max-time", Long.toString(CALL.toSeconds()),
                "-w", STATUS_MARK + "%{http_code}"));
        argv.addAll(options);
        argv.add(baseUrl + path);
        String output = Command.run(CALL.plusSeconds(5), from.exec(argv));
        int mark = output.lastIndexOf(STATUS_MARK);
        if (mark < 0) {
            throw new LabException("curl " + baseUrl + path + " printed no status: " + output);
        }
        return new Reply(Integer.parseInt(output.substring(mark + STATUS_MARK.length()).strip()), output.substring(0, mark));
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
