package io.metalboot.appliance.api;

import io.metalboot.appliance.ApplianceService;
import io.metalboot.appliance.ServiceContext;
import io.metalboot.appliance.ServiceStatus;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ConfigException;
import io.metalboot.http.HealthRoutes;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import io.metalboot.http.HttpServer;
import io.metalboot.http.HttpSettings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The operator API on a listener of its own ({@code api.listen}, loopback by default), every call
 * but the health checks behind the bearer token in {@code state-dir/api.token}. The provisioning
 * listener never serves these paths: there they are 404 and change nothing.
 *
 * <pre>
 * POST /api/v1/token      replaces the token; answers the new one ({"token": "..."}) to this caller only
 * </pre>
 */
public final class OperatorApiService implements ApplianceService {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private final HttpServer server;
    private final InetAddress bindAddress;

    private OperatorApiService(HttpServer server, InetAddress bindAddress) {
        this.server = server;
        this.bindAddress = bindAddress;
    }

    public static Optional<ApplianceService> from(ServiceContext context) throws IOException {
        ApplianceConfig config = context.config();
        if (!config.api().enabled()) {
            LOG.log(Level.INFO, "operator API disabled (api.enabled: false)");
            return Optional.empty();
        }
        ApiToken token = ApiToken.openOrCreate(Path.of(config.stateDir()));
        List<HttpRoute> routes = new ArrayList<>(new MachineApi(context.registry(), context.agents()).routes());
        routes.addAll(new BootEvidenceApi(context.evidence(), context.registry()).routes());
        routes.add(HttpRoute.post("/api/v1/token", call -> {
            String fresh = token.rotate();
            MachineApi.audit(call, "api-token", "rotated");
            return HttpReply.json(200, ("{\"token\":\"" + fresh + "\"}").getBytes(StandardCharsets.US_ASCII));
        }));
        routes.addAll(context.routes().operator());
        routes.addAll(HealthRoutes.routes(context.ready()::get));
        HttpSettings settings = HttpSettings.defaults(address(config.api()), config.api().port())
                .withName("operator API");
        return Optional.of(new OperatorApiService(new HttpServer(settings, routes,
                List.of(new BearerTokenFilter(token))), settings.bindAddress()));
    }

    private static InetAddress address(ApplianceConfig.Api api) {
        try {
            if (InetAddress.getByName(api.address()) instanceof Inet4Address v4) {
                return v4;
            }
        } catch (UnknownHostException e) {
            // below
        }
        throw new ConfigException("api.listen", "not an IPv4 address: '" + api.address() + "'");
    }

    @Override
    public void start() throws IOException {
        server.start();
    }

    /** The bound port (the real one when the config said 0). */
    public int port() {
        return server.localAddress().getPort();
    }

    @Override
    public ServiceStatus status() {
        return new ServiceStatus("api", ServiceStatus.bound("operator API", "tcp", bindAddress, server.localAddress(), null));
    }

    @Override
    public void close() {
        server.close();
    }
}
