package io.metalboot.appliance.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.metalboot.appliance.agent.AgentSessions;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.appliance.registry.Transition;
import io.metalboot.http.HttpCall;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.machine.agent.AgentActionKind;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine registry over HTTP, JSON in and out, on the operator listener only (the CLI and the
 * status page build on it):
 * <pre>
 * GET    /api/v1/machines                        every machine
 * GET    /api/v1/machines/{mac}                  one machine
 * GET    /api/v1/machines/{mac}/history          its stored transitions, oldest first
 * POST   /api/v1/machines/{mac}/state            {"state": "inspecting"|"provisioning"|"provisioned", "reason": "..."}
 * GET    /api/v1/machines/{mac}/labels           its labels, {"key": "value", ...}
 * PUT    /api/v1/machines/{mac}/labels/{key}     {"value": "..."}: sets it (Kubernetes label syntax)
 * DELETE /api/v1/machines/{mac}/labels/{key}     removes it
 * GET    /api/v1/machines/{mac}/inventory        the inventory its agent sent (IPA's shapes)
 * POST   /api/v1/machines/{mac}/actions          {"kind": "inspect"|"power-off"|"reboot"}: for its running agent
 * </pre>
 * A machine's view carries {@code agent}: when its agent last heartbeated, whether it is lost, and
 * the action it runs (null when no agent ran this boot), and {@code alerts}: {@code [{"at", "message"}]}
 * (e.g. a second agent registration in one boot, refused).
 * A label key with a prefix has a slash in it ({@code metalboot.io/role}): it may stand in the
 * path as is or as {@code %2F}. Answers to a change are the machine as it now is. Errors are JSON
 * too: {@code {"error": "..."}} with 400, 404 or 409. Every change is written to the audit log
 * with who asked (the caller's address) and what changed.
 */
public final class MachineApi {
    static final String PREFIX = "/api/v1/machines";
    static final System.Logger AUDIT = System.getLogger("audit");

    private final MachineRegistry registry;
    private final AgentSessions agents;
    private final ObjectMapper json = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    /** A machine as the API shows it. */
    record MachineView(String mac, String uuid, String serial, String state, String failureReason,
            Map<String, String> labels, Instant since, AgentView agent, List<AlertView> alerts) {
    }

    /** An alert on the machine's record, oldest first. */
    record AlertView(Instant at, String message) {
    }

    /** Its agent as the API shows it. */
    record AgentView(Instant lastHeartbeat, boolean lost, String action, String actionId) {
    }

    /** The body of an action request. */
    record ActionRequest(String kind) {
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

    /** A machine's endpoint, once its MAC parsed and the machine found. */
    @FunctionalInterface
    private interface MachineEndpoint {
        HttpReply handle(HttpCall call, Machine machine) throws IOException;
    }

    public MachineApi(MachineRegistry registry, AgentSessions agents) {
        this.registry = registry;
        this.agents = agents;
    }

    private MachineView view(Machine m) {
        AgentView agent = agents.view(m.mac()).map(a -> new AgentView(a.lastHeartbeat(), a.lost(),
                a.action().map(x -> x.kind().wireName()).orElse(null), a.action().map(AgentSessions.Action::id)
                        .orElse(null))).orElse(null);
        return new MachineView(m.mac().toString(), m.uuid().map(Object::toString).orElse(null),
                m.serial().orElse(null), m.state().wireName(), m.failureReason().orElse(null), m.labels(),
                m.since(), agent, m.alerts().stream().map(a -> new AlertView(a.at(), a.message())).toList());
    }

    public List<HttpRoute> routes() {
        return List.of(
                HttpRoute.get(PREFIX, call -> ok(registry.machines().stream().map(this::view).toList())),
                HttpRoute.get(PREFIX + "/{mac}", machine((call, m) -> ok(view(m)))),
                HttpRoute.get(PREFIX + "/{mac}/inventory", machine((call, m) -> registry.inventory(m.mac())
                        .map(inventory -> HttpReply.json(200, inventory.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .orElse(problem(404, "no inventory of " + m.mac() + " yet")))),
                HttpRoute.post(PREFIX + "/{mac}/actions", machine(this::requestAction)),
                HttpRoute.get(PREFIX + "/{mac}/history", machine((call, m) ->
                        ok(registry.history(m.mac()).stream().map(TransitionView::of).toList()))),
                HttpRoute.post(PREFIX + "/{mac}/state", machine(this::changeState)),
                HttpRoute.get(PREFIX + "/{mac}/labels", machine((call, m) -> ok(m.labels()))),
                HttpRoute.put(PREFIX + "/{mac}/labels/{key...}", machine(this::setLabel)),
                HttpRoute.delete(PREFIX + "/{mac}/labels/{key...}", machine(this::removeLabel)));
    }

    private io.metalboot.http.HttpEndpoint machine(MachineEndpoint endpoint) {
        return call -> {
            MacAddress mac;
            try {
                mac = MacAddress.parse(call.pathParameter("mac"));
            } catch (IllegalArgumentException e) {
                return problem(400, e.getMessage());
            }
            Optional<Machine> machine = registry.machine(mac);
            return machine.isEmpty() ? problem(404, "no machine " + mac) : endpoint.handle(call, machine.get());
        };
    }

    private HttpReply changeState(HttpCall call, Machine machine) throws IOException {
        StateChange change;
        MachineState target;
        try {
            change = json.readValue(call.body(), StateChange.class);
            target = MachineState.ofWireName(String.valueOf(change.state()));
        } catch (IOException | IllegalArgumentException e) {
            return problem(400, "expected {\"state\": \"inspecting|provisioning|provisioned\", \"reason\": \"...\"}");
        }
        try {
            Machine changed = registry.operatorSets(machine.mac(), target, Optional.ofNullable(change.reason()));
            audit(call, machine.mac(), "state " + machine.state().wireName() + " -> " + changed.state().wireName()
                    + Optional.ofNullable(change.reason()).map(r -> " (reason: " + r + ")").orElse(""));
            return ok(view(changed));
        } catch (IllegalStateException e) {
            return problem(409, e.getMessage());
        }
    }

    private HttpReply requestAction(HttpCall call, Machine machine) throws IOException {
        AgentActionKind kind;
        try {
            kind = AgentActionKind.ofWireName(String.valueOf(json.readValue(call.body(), ActionRequest.class).kind()));
        } catch (IOException | IllegalArgumentException e) {
            kind = null;
        }
        if (kind == null || kind == AgentActionKind.WAIT) {
            return problem(400, "expected {\"kind\": \"inspect|power-off|reboot\"}");
        }
        try {
            agents.request(machine.mac(), kind);
        } catch (IllegalStateException e) {
            return problem(409, e.getMessage());
        }
        audit(call, machine.mac(), "action " + kind.wireName() + " requested");
        return ok(view(machine));
    }

    private HttpReply setLabel(HttpCall call, Machine machine) throws IOException {
        LabelValue body;
        try {
            body = json.readValue(call.body(), LabelValue.class);
        } catch (IOException e) {
            body = null;
        }
        if (body == null || body.value() == null) {
            return problem(400, "expected {\"value\": \"...\"}");
        }
        String key = call.pathParameter("key");
        try {
            Machine changed = registry.setLabel(machine.mac(), key, body.value());
            audit(call, machine.mac(), "label " + key + "=" + body.value());
            return ok(view(changed));
        } catch (IllegalArgumentException e) {
            return problem(400, e.getMessage());
        }
    }

    private HttpReply removeLabel(HttpCall call, Machine machine) throws IOException {
        String key = call.pathParameter("key");
        try {
            Machine changed = registry.removeLabel(machine.mac(), key);
            audit(call, machine.mac(), "label " + key + " removed");
            return ok(view(changed));
        } catch (IllegalArgumentException e) {
            return problem(400, e.getMessage());
        }
    }

    /** Who (the caller's address) changed which machine, and how. */
    static void audit(HttpCall call, Object subject, String change) {
        AUDIT.log(Level.INFO, "{0} {1} {2}: {3}", call.remote() == null ? "-" : call.remote().getAddress()
                .getHostAddress() + ":" + call.remote().getPort(), call.method(), subject, change);
    }

    private HttpReply ok(Object body) throws IOException {
        return HttpReply.json(200, json.writeValueAsBytes(body));
    }

    private HttpReply problem(int status, String message) throws IOException {
        return HttpReply.json(status, json.writeValueAsBytes(new Problem(message)));
    }
}
