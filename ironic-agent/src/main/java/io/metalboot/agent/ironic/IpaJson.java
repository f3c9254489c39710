package io.metalboot.agent.ironic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of ironic-python-agent's API: command results, the command request
 * {@code {"name": "ext.cmd", "params": {…}}} and the error body {@code {"faultcode", "faultstring"}}.
 * No policy: what a command means is {@link IronicCommands}'.
 */
public final class IpaJson {
    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    /** A command request, as decoded. */
    public record CommandRequest(String name, Map<String, Object> params) {
        public CommandRequest {
            params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }
    }

    private IpaJson() {
    }

    /**
     * @throws IllegalArgumentException saying what is wrong: not JSON, no name, params not an object
     */
    @SuppressWarnings("unchecked")
    public static CommandRequest readRequest(byte[] body) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getMessage());
        }
        if (tree == null || !tree.isObject() || !tree.path("name").isTextual() || !tree.path("params").isObject()) {
            throw new IllegalArgumentException("Missing or invalid name or params");
        }
        return new CommandRequest(tree.get("name").asText(), MAPPER.convertValue(tree.get("params"), Map.class));
    }

    public static Map<String, Object> toMap(IpaCommandResult result) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", result.id());
        map.put("command_name", result.commandName());
        map.put("command_status", result.status().name());
        map.put("command_error", result.error() == null ? null : errorMap(result.error()));
        map.put("command_result", result.result());
        return map;
    }

    private static Map<String, Object> errorMap(IpaCommandResult.CommandError error) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", error.type());
        map.put("code", error.code());
        map.put("message", error.message());
        map.put("details", error.details());
        return map;
    }

    public static byte[] write(IpaCommandResult result) {
        return bytes(toMap(result));
    }

    public static byte[] writeList(List<IpaCommandResult> results) {
        return bytes(Map.of("commands", results.stream().map(IpaJson::toMap).toList()));
    }

    /** IPA's error body: faultcode {@code Client} below 500, {@code Server} from it. */
    public static byte[] fault(int status, String faultstring) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("faultcode", status >= 500 ? "Server" : "Client");
        map.put("faultstring", faultstring);
        return bytes(map);
    }

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a command's result is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
