package io.metalboot.appliance.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.appliance.evidence.BootEvidence;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The boot-evidence counters on the operator listener, read-only:
 * <pre>
 * GET /api/v1/boot-evidence   {"refused": {"no-pxe-dhcp": n, "no-neighbour-entry": n, "neighbour-mismatch": n,
 *                              "unregistered-cap": n}, "accepted": n, "unregistered": n, "unregistered-cap": cap}
 * </pre>
 * {@code accepted}: boot tokens issued on evidence since start; {@code unregistered}: machines
 * discovered and never registered now; {@code unregistered-cap}: {@code machines.max-unregistered}.
 */
final class BootEvidenceApi {
    static final String PATH = "/api/v1/boot-evidence";

    private final BootEvidence evidence;
    private final MachineRegistry registry;
    private final ObjectMapper json = JsonMapper.builder().build();

    record CountsView(Map<String, Long> refused, long accepted, long unregistered,
            @JsonProperty("unregistered-cap") long unregisteredCap) {
    }

    BootEvidenceApi(BootEvidence evidence, MachineRegistry registry) {
        this.evidence = evidence;
        this.registry = registry;
    }

    List<HttpRoute> routes() {
        return List.of(HttpRoute.get(PATH, call -> {
            BootEvidence.Counts counts = evidence.counts();
            Map<String, Long> refused = new LinkedHashMap<>();
            counts.refused().forEach((reason, n) -> refused.put(reason.wireName(), n));
            return HttpReply.json(200, json.writeValueAsBytes(new CountsView(refused, counts.accepted(),
                    registry.unregistered(), registry.maxUnregistered())));
        }));
    }
}
