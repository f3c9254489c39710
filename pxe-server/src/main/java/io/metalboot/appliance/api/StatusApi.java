package io.metalboot.appliance.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.metalboot.appliance.ServiceContext;
import io.metalboot.appliance.ServiceStatus;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import io.metalboot.machine.MachineState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The appliance at a glance, read-only, on the operator listener:
 * <pre>
 * GET /api/v1/status   {"version", "startedAt", "uptimeSeconds", "ready",
 *                       "services": [{"name", "listening": [{"name", "protocol", "address", "port", "interface"}]}],
 *                       "machines": {"total", "byState": {"discovered": n, …, "failed": n}}, "images"}
 * </pre>
 * {@code version} is the running jar's (null when the classes run from a build's directory),
 * {@code services} those running, in start order; {@code byState} has every state, in the
 * lifecycle's order; {@code images} is the catalog's size (null when the image service is off).
 */
public final class StatusApi {
    static final String PATH = "/api/v1/status";

    private final ServiceContext context;
    private final Instant startedAt;
    private final Supplier<List<ServiceStatus>> services;
    private final Supplier<Optional<Integer>> images;
    private final ObjectMapper json = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    record StatusView(String version, Instant startedAt, long uptimeSeconds, boolean ready,
            List<ServiceStatus> services, MachineCounts machines, Integer images) {
    }

    record MachineCounts(int total, Map<String, Integer> byState) {
    }

    /**
     * @param services the services running now (read at each call: later ones start after this listener)
     * @param images   the catalog's size, empty when the image service is off
     */
    public StatusApi(ServiceContext context, Instant startedAt, Supplier<List<ServiceStatus>> services,
            Supplier<Optional<Integer>> images) {
        this.context = context;
        this.startedAt = startedAt;
        this.services = services;
        this.images = images;
    }

    public List<HttpRoute> routes() {
        return List.of(HttpRoute.get(PATH, call -> HttpReply.json(200, json.writeValueAsBytes(view()))));
    }

    private StatusView view() {
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (MachineState state : MachineState.values()) {
            byState.put(state.wireName(), 0);
        }
        List<Machine> machines = context.registry().machines();
        machines.forEach(m -> byState.merge(m.state().wireName(), 1, Integer::sum));
        Instant now = context.clock().instant();
        return new StatusView(StatusApi.class.getPackage().getImplementationVersion(), startedAt,
                Duration.between(startedAt, now).toSeconds(), context.ready().get(), services.get(),
                new MachineCounts(machines.size(), byState), images.get().orElse(null));
    }
}
