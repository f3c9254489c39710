package io.metalboot.appliance.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.appliance.evidence.BootEvidence;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.http.HttpCall;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.AgentProtocol;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The agent API on the provisioning listener ({@link AgentProtocol}): an agent exchanges its boot
 * token for this boot's credential, then heartbeats for its next action and sends the inventory.
 * Any call with a wrong, used, expired or another machine's token or credential is a 401 with no
 * body, and changes nothing. Bodies and the Authorization header never reach the access log.
 */
public final class AgentApi {
    private final MachineRegistry registry;
    private final AgentSessions sessions;
    private final BootEvidence evidence;
    private final ObjectMapper json = JsonMapper.builder().build();

    /** @param evidence when each machine last PXE-booted: a second registration in one boot is refused */
    public AgentApi(MachineRegistry registry, AgentSessions sessions, BootEvidence evidence) {
        this.registry = registry;
        this.sessions = sessions;
        this.evidence = evidence;
    }

    public List<HttpRoute> routes() {
        return List.of(
                HttpRoute.post(AgentProtocol.REGISTER, this::register),
                HttpRoute.post(AgentProtocol.HEARTBEAT, this::heartbeat),
                HttpRoute.post(AgentProtocol.INVENTORY, this::inventory));
    }

    private HttpReply register(HttpCall call) throws IOException {
        AgentProtocol.RegisterRequest request;
        MacAddress mac;
        try {
            request = json.readValue(call.body(), AgentProtocol.RegisterRequest.class);
            mac = MacAddress.parse(String.valueOf(request.mac()));
        } catch (IOException | IllegalArgumentException e) {
            return HttpReply.text(400, "expected {\"mac\": \"...\", \"bootToken\": \"...\"}\n");
        }
        Optional<String> credential = registry.registerAgent(mac, request.bootToken(), evidence.lastPxeBoot(mac));
        if (credential.isEmpty()) {
            return HttpReply.unauthorized();
        }
        sessions.registered(mac, registry.machine(mac).map(Machine::state).orElseThrow());
        sessions.calledFrom(mac, call.remote() == null ? null : call.remote().getAddress());
        return HttpReply.json(200, json.writeValueAsBytes(new AgentProtocol.RegisterResponse(credential.get(),
                (int) sessions.heartbeat().toSeconds())));
    }

    private HttpReply heartbeat(HttpCall call) throws IOException {
        Optional<MacAddress> mac = caller(call);
        if (mac.isEmpty()) {
            return HttpReply.unauthorized();
        }
        AgentProtocol.Heartbeat heartbeat;
        try {
            heartbeat = call.body().length == 0 ? new AgentProtocol.Heartbeat(null)
                    : json.readValue(call.body(), AgentProtocol.Heartbeat.class);
        } catch (IOException e) {
            return HttpReply.text(400, "expected {\"report\": {\"actionId\": ..., \"status\": ..., \"message\": ...,"
                    + " \"progress\": ..., \"deployed\": ...}}\n");
        }
        AgentProtocol.ActionReport report = heartbeat.report();
        AgentSessions.Action next = sessions.heartbeat(mac.get(), report);
        sessions.calledFrom(mac.get(), call.remote() == null ? null : call.remote().getAddress());
        return HttpReply.json(200, json.writeValueAsBytes(new AgentProtocol.HeartbeatResponse(next.id(),
                next.kind().wireName(), (int) sessions.heartbeat().toSeconds(), next.deploy())));
    }

    private HttpReply inventory(HttpCall call) throws IOException {
        Optional<MacAddress> mac = caller(call);
        if (mac.isEmpty()) {
            return HttpReply.unauthorized();
        }
        JsonNode inventory;
        try {
            inventory = json.readTree(call.body());
        } catch (JsonProcessingException e) {
            inventory = null;
        }
        if (inventory == null || !inventory.isObject()) {
            return HttpReply.text(400, "expected the inventory as a JSON object\n");
        }
        registry.inventoried(mac.get(), json.writeValueAsString(inventory));
        return HttpReply.empty(204);
    }

    /** The machine whose session credential the call carries. */
    private Optional<MacAddress> caller(HttpCall call) {
        return call.bearerCredential().flatMap(registry::agentSession);
    }
}
