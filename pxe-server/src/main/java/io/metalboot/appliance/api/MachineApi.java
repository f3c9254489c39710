package io.metalboot.appliance.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.metalboot.http.HttpCall;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.appliance.registry.Transition;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine registry over HTTP, JSON in and out (the operator CLI and status page build on it):
 * <pre>
 * GET  /api/v1/machines                 every machine
 * GET  /api/v1/machines/{mac}           one machine
 * GET  /api/v1/machines/{mac}/history   its stored transitions, oldest first
 * POST /api/v1/machines/{mac}/state     {"state": "inspecting"|"provisioning"|"provisioned", "reason": "..."}
 * GET  /api/v1/machines/{mac}/labels    its labels, {"key": "value", ...}
 * PUT  /api/v1/machines/{mac}/labels/{key}   {"value": "..."}: sets it (Kubernetes label syntax)
 * DELETE /api/v1/machines/{mac}/labels/{key} removes it
 * </pre>
 * A label key with a prefix has a slash in it ({@code metalboot.io/role}): it may stand in the
 * path as is or as {@code %2F}. Answers to a change are the machine as it now is. Errors are JSON
 * too: {@code {"error": "..."}} with 400, 404, 405 or 409.
 */
public final class MachineApi {
    static final String PREFIX = "/api/v1/machines";

    private final MachineRegistry registry;
    private final ObjectMapper json = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    /** A machine as the API shows it. */
    record MachineView(String mac, String uuid, String serial, String state, String failureReason,
            Map<String, String> labels, Instant since) {
        static MachineView of(Machine m) {
            return new MachineView(m.mac().toString(), m.uuid().map(Object::toString).orElse(null),
                    m.serial().orElse(null), m.state().wireName(), m.failureReason().orElse(null), m.labels(),
                    m.since());
        }
    }

    /** A transition as the API shows it. */
    record TransitionView(String from, String to, Instant at, String cause, String reason) {
        static TransitionView of(Transition t) {
            return new TransitionView(t.from().map(MachineState::wireName).orElse(null), t.to().wireName(), t.at(),
                    t.cause(), t.reason().orElse(null));
        }
    }

    /** The body of a state change. */
    record StateChange(String state, String reason) {
    }

    /** The body of a label change. */
    record LabelValue(String value) {
    }

    record Problem(String error) {
    }

    public MachineApi(MachineRegistry registry) {
        this.registry = registry;
    }

    public List<HttpRoute> routes() {
        return List.of(HttpRoute.exact(PREFIX, this::collection), HttpRoute.prefix(PREFIX + "/", this::member));
    }

    private HttpReply collection(HttpCall call) throws IOException {
        if (!isRead(call)) {
            return problem(405, "use GET");
        }
        return ok(registry.machines().stream().map(MachineView::of).toList());
    }

    private HttpReply member(HttpCall call) throws IOException {
        String[] parts = call.path().substring(PREFIX.length() + 1).split("/", 3);
        MacAddress mac;
        try {
            mac = MacAddress.parse(parts[0]);
        } catch (IllegalArgumentException e) {
            return problem(400, e.getMessage());
        }
        Optional<Machine> machine = registry.machine(mac);
        if (machine.isEmpty()) {
            return problem(404, "no machine " + mac);
        }
        String sub = parts.length > 1 ? parts[1] : "";
        if (sub.equals("labels") && parts.length > 2) {
            return label(mac, parts[2], call);
        }
        if (parts.length > 2) {
            return problem(404, "no such resource");
        }
        return switch (sub) {
            case "" -> isRead(call) ? ok(MachineView.of(machine.get())) : problem(405, "use GET");
            case "history" -> isRead(call) ? ok(registry.history(mac).stream().map(TransitionView::of).toList())
                    : problem(405, "use GET");
            case "state" -> call.method().equals("POST") ? changeState(mac, call) : problem(405, "use POST");
            case "labels" -> isRead(call) ? ok(machine.get().labels()) : problem(405, "use GET");
            default -> problem(404, "no such resource");
        };
    }

    private HttpReply changeState(MacAddress mac, HttpCall call) throws IOException {
        StateChange change;
        MachineState target;
        try {
            change = json.readValue(call.body(), StateChange.class);
            target = MachineState.ofWireName(String.valueOf(change.state()));
        } catch (IOException | IllegalArgumentException e) {
            return problem(400, "expected {\"state\": \"inspecting|provisioning|provisioned\", \"reason\": \"...\"}");
        }
        try {
            return ok(MachineView.of(registry.operatorSets(mac, target, Optional.ofNullable(change.reason()))));
        } catch (IllegalStateException e) {
            return problem(409, e.getMessage());
        }
    }

    private HttpReply label(MacAddress mac, String key, HttpCall call) throws IOException {
        try {
            return switch (call.method()) {
                case "PUT" -> {
                    LabelValue body;
                    try {
                        body = json.readValue(call.body(), LabelValue.class);
                    } catch (IOException e) {
                        yield problem(400, "expected {\"value\": \"...\"}");
                    }
                    if (body == null || body.value() == null) {
                        yield problem(400, "expected {\"value\": \"...\"}");
                    }
                    yield ok(MachineView.of(registry.setLabel(mac, key, body.value())));
                }
                case "DELETE" -> ok(MachineView.of(registry.removeLabel(mac, key)));
                default -> problem(405, "use PUT or DELETE");
            };
        } catch (IllegalArgumentException e) {
            return problem(400, e.getMessage());
        } catch (IllegalStateException e) {
            return problem(404, e.getMessage());
        }
    }

    private static boolean isRead(HttpCall call) {
        return call.method().equals("GET") || call.method().equals("HEAD");
    }

    private HttpReply ok(Object body) throws IOException {
        return HttpReply.json(200, json.writeValueAsBytes(body));
    }

    private HttpReply problem(int status, String message) throws IOException {
        return HttpReply.json(status, json.writeValueAsBytes(new Problem(message)));
    }
}
