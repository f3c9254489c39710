package io.metalboot.appliance.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.metalboot.appliance.agent.AgentSessions;
import io.metalboot.appliance.registry.Deploy;
import io.metalboot.appliance.registry.DeployRequest;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.appliance.registry.Transition;
import io.metalboot.http.HttpCall;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.image.ImageFormat;
import io.metalboot.images.catalog.CatalogException;
import io.metalboot.images.catalog.CatalogImage;
import io.metalboot.images.catalog.ImageSpec;
import io.metalboot.machine.agent.AgentActionKind;
import io.metalboot.machine.agent.DeployProgress;
import io.metalboot.machine.agent.DeployedDisk;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

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
 * POST   /api/v1/machines/{mac}/deploy           {"image": "catalog name", "rootDeviceHints": {...}, "readBack": false}
 *                                                or {"imageUrl": "http(s)://…", "checksum": "sha256:…", "format": "raw|…|detect",
 *                                                "allowMd5": false, …}: 202 {"deployId", "machine"}; available → provisioning
 * POST   /api/v1/machines/{mac}/reprovision      {"reason": "..."} or no body: provisioned|joined|failed → inspecting
 *                                                (its next boot runs the agent; a running agent inspects now)
 * DELETE /api/v1/machines/{mac}                  forgets it (record, history, inventory, tokens): 204; 409 mid-deploy
 * </pre>
 * A machine's view carries {@code deploy} once it had one: {@code {id, image, state, bytesDone, imageBytes,
 * bytesPerSecond, etaSeconds, progressAt, requestedAt, rootDeviceHints, readBack, disk}} ({@code state}:
 * running, succeeded, failed, abandoned; the progress is the agent's latest report, in memory; {@code disk}
 * the {@code DeployedDisk} of a success, stored). An external image shows as its URL without the query.
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
            Map<String, String> labels, Instant since, AgentView agent, List<AlertView> alerts, DeployView deploy) {
    }

    /** Its latest deploy as the API shows it; the progress fields null until its agent reports some. */
    record DeployView(String id, String image, String state, Long bytesDone, Long imageBytes, Long bytesPerSecond,
            Long etaSeconds, Instant progressAt, Instant requestedAt, Map<String, Object> rootDeviceHints,
            boolean readBack, DeployedDisk disk) {
    }

    /** A deploy's answer: its id, and the machine as it now is (provisioning). */
    record DeployStarted(String deployId, MachineView machine) {
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

    /** The body of a reprovision, which may be empty. */
    record Reason(String reason) {
    }

    /** The body of a label change. */
    record LabelValue(String value) {
    }

    /** An error; {@code field} names a deploy body's bad field (absent otherwise). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Problem(String error, String field) {
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
                m.since(), agent, m.alerts().stream().map(a -> new AlertView(a.at(), a.message())).toList(),
                registry.deploy(m.mac()).map(d -> deployView(m.mac(), d)).orElse(null));
    }

    private DeployView deployView(MacAddress mac, Deploy deploy) {
        DeployRequest request = deploy.request();
        Optional<AgentSessions.ProgressSeen> seen = deploy.outcome() == Deploy.Outcome.SUCCEEDED ? Optional.empty()
                : agents.deployProgress(mac).filter(p -> p.deployId().equals(request.id()));
        Optional<DeployProgress> progress = seen.map(AgentSessions.ProgressSeen::progress);
        Optional<DeployedDisk> disk = deploy.disk();
        return new DeployView(request.id(), request.imageForDisplay(), deploy.outcome().wireName(),
                progress.map(DeployProgress::bytesDone).or(() -> disk.map(DeployedDisk::imageBytes)).orElse(null),
                progress.map(DeployProgress::imageBytes).or(() -> disk.map(DeployedDisk::imageBytes)).orElse(null),
                progress.map(DeployProgress::bytesPerSecond).orElse(null),
                progress.map(DeployProgress::etaSeconds).or(() -> disk.map(d -> 0L)).orElse(null),
                seen.map(AgentSessions.ProgressSeen::at).orElse(null), deploy.requestedAt(),
                request.rootDeviceHints(), request.readBack(), disk.orElse(null));
    }

    public List<HttpRoute> routes() {
        return List.of(
                HttpRoute.get(PREFIX, call -> ok(registry.machines().stream().map(this::view).toList())),
                HttpRoute.get(PREFIX + "/{mac}", machine((call, m) -> ok(view(m)))),
                HttpRoute.delete(PREFIX + "/{mac}", machine(this::delete)),
                HttpRoute.post(PREFIX + "/{mac}/reprovision", machine(this::reprovision)),
                HttpRoute.get(PREFIX + "/{mac}/inventory", machine((call, m) -> registry.inventory(m.mac())
                        .map(inventory -> HttpReply.json(200, inventory.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .orElse(problem(404, "no inventory of " + m.mac() + " yet")))),
                HttpRoute.post(PREFIX + "/{mac}/actions", machine(this::requestAction)),
                HttpRoute.post(PREFIX + "/{mac}/deploy", machine(this::deploy)),
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

    private HttpReply delete(HttpCall call, Machine machine) throws IOException {
        try {
            agents.deleteMachine(machine.mac());
        } catch (IllegalStateException e) {
            return problem(409, e.getMessage());
        }
        audit(call, machine.mac(), "deleted (it was " + machine.state().wireName() + ")");
        return HttpReply.empty(204);
    }

    private HttpReply reprovision(HttpCall call, Machine machine) throws IOException {
        Reason body;
        try {
            body = call.body().length == 0 ? new Reason(null) : json.readValue(call.body(), Reason.class);
        } catch (IOException e) {
            body = null;
        }
        if (body == null) {
            return problem(400, "expected no body, or {\"reason\": \"...\"}");
        }
        Optional<String> reason = Optional.ofNullable(body.reason());
        try {
            Machine changed = agents.reprovision(machine.mac(), reason);
            audit(call, machine.mac(), "reprovision: state " + machine.state().wireName() + " -> "
                    + changed.state().wireName() + reason.map(r -> " (reason: " + r + ")").orElse(""));
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
        if (kind == null || kind == AgentActionKind.WAIT || kind == AgentActionKind.DEPLOY) {
            return problem(400, "expected {\"kind\": \"inspect|power-off|reboot\"} (a deploy: POST " + PREFIX
                    + "/{mac}/deploy)");
        }
        try {
            agents.request(machine.mac(), kind);
        } catch (IllegalStateException e) {
            return problem(409, e.getMessage());
        }
        audit(call, machine.mac(), "action " + kind.wireName() + " requested");
        return ok(view(machine));
    }

    /** The fields of a deploy's body, and the root-device hint keys Ironic knows (ironic-python-agent's). */
    private static final List<String> DEPLOY_FIELDS = List.of("image", "imageUrl", "checksum", "format", "allowMd5",
            "rootDeviceHints", "readBack");
    private static final List<String> HINT_KEYS = List.of("size", "model", "wwn", "serial", "vendor",
            "wwn_with_extension", "wwn_vendor_extension", "name", "rotational", "hctl", "by_path", "tran");

    private static final java.util.regex.Pattern URL_QUERY =
            java.util.regex.Pattern.compile("(?i)\\b(https?://[^\\s?#'\"]*)\\?[^\\s#'\"]*");

    /** A deploy's body that is wrong, naming the field. */
    private static final class BadField extends Exception {
        private static final long serialVersionUID = 1L;
        final String field;

        BadField(String field, String message) {
            super(message);
            this.field = field;
        }
    }

    private HttpReply deploy(HttpCall call, Machine machine) throws IOException {
        DeployRequest request;
        try {
            request = deployRequest(call.body());
        } catch (BadField e) {
            return problem(400, e.getMessage(), e.field);
        }
        if (request.image() != null && !agents.deployImages().hasImage(request.image())) {
            return problem(404, "no image " + request.image() + " in the catalog", "image");
        }
        Machine provisioning;
        try {
            provisioning = registry.startDeploy(machine.mac(), request);
        } catch (IllegalStateException e) {
            return problem(409, e.getMessage());
        }
        audit(call, machine.mac(), "deploy " + request.id() + " of " + request.imageForDisplay() + " (hints "
                + request.rootDeviceHints() + ", readBack " + request.readBack() + "); state "
                + machine.state().wireName() + " -> " + provisioning.state().wireName());
        return HttpReply.json(202, json.writeValueAsBytes(new DeployStarted(request.id(), view(provisioning))));
    }

    /** The deploy a body asks for, with a new id; {@link BadField} names what is wrong. */
    private DeployRequest deployRequest(byte[] body) throws BadField {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new BadField(null, "expected {\"image\": \"...\"} or {\"imageUrl\": \"...\", \"checksum\": \"...\"},"
                    + " with rootDeviceHints and readBack optional");
        }
        for (String name : (Iterable<String>) root::fieldNames) {
            if (!DEPLOY_FIELDS.contains(name)) {
                throw new BadField(name, "unknown field '" + name + "' (known: " + String.join(", ", DEPLOY_FIELDS) + ")");
            }
        }
        String image = text(root, "image");
        String url = text(root, "imageUrl");
        String checksum = text(root, "checksum");
        String format = text(root, "format");
        boolean allowMd5 = bool(root, "allowMd5");
        boolean readBack = bool(root, "readBack");
        Map<String, Object> hints = hints(root.get("rootDeviceHints"));
        if ((image == null) == (url == null)) {
            throw new BadField(image == null ? "image" : "imageUrl", "give exactly one of image (a catalog name)"
                    + " and imageUrl");
        }
        if (image != null) {
            for (String only : List.of("checksum", "format", "allowMd5")) {
                if (root.has(only)) {
                    throw new BadField(only, only + " goes with imageUrl; a catalog image has its own");
                }
            }
            try {
                CatalogImage.requireName(image);
            } catch (CatalogException e) {
                throw new BadField("image", e.getMessage());
            }
            return new DeployRequest(UUID.randomUUID().toString(), image, null, null, null, hints, readBack);
        }
        CatalogImage external;
        try {
            external = new ImageSpec("external", url, null, format, checksum, null, null, allowMd5 ? Boolean.TRUE : null)
                    .toImage("external", CatalogImage.DefinedBy.API);
        } catch (CatalogException e) {
            String field = "url".equals(e.field()) ? "imageUrl" : e.field();
            // The message may quote the URL: cut it at its query, which may be a credential.
            throw new BadField(field, URL_QUERY.matcher(String.valueOf(e.getMessage())).replaceAll("$1?…"));
        }
        return new DeployRequest(UUID.randomUUID().toString(), null, url, external.checksum().toString(),
                external.format().map(ImageFormat::label).orElse("detect"), hints, readBack);
    }

    private static String text(JsonNode root, String field) throws BadField {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new BadField(field, field + " must be a non-empty string");
        }
        return value.asText();
    }

    private static boolean bool(JsonNode root, String field) throws BadField {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new BadField(field, field + " must be true or false");
        }
        return value.asBoolean();
    }

    /** Ironic's root-device hints: known keys, each a string, a number or a boolean (the agent parses them). */
    private static Map<String, Object> hints(JsonNode node) throws BadField {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new BadField("rootDeviceHints", "rootDeviceHints must be an object of hint → value");
        }
        Map<String, Object> hints = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> hint : node.properties()) {
            String field = "rootDeviceHints." + hint.getKey();
            if (!HINT_KEYS.contains(hint.getKey())) {
                throw new BadField(field, "unknown root-device hint '" + hint.getKey() + "' (known: "
                        + String.join(", ", HINT_KEYS) + ")");
            }
            JsonNode value = hint.getValue();
            if (value.isTextual()) {
                hints.put(hint.getKey(), value.asText());
            } else if (value.isIntegralNumber()) {
                hints.put(hint.getKey(), value.asLong());
            } else if (value.isBoolean()) {
                hints.put(hint.getKey(), value.asBoolean());
            } else {
                throw new BadField(field, field + " must be a string, an integer or a boolean");
            }
        }
        return hints;
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
        return HttpReply.json(status, json.writeValueAsBytes(new Problem(message, null)));
    }

    private HttpReply problem(int status, String message, String field) throws IOException {
        return HttpReply.json(status, json.writeValueAsBytes(new Problem(message, field)));
    }
}
