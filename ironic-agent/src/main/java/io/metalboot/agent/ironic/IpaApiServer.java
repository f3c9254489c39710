package io.metalboot.agent.ironic;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * ironic-python-agent's HTTP API, the front Ironic's conductor calls (port 9999 unless
 * {@code ipa-listen-port} says): {@code GET /v1/status}, {@code GET /v1/commands/},
 * {@code GET /v1/commands/ID[?wait=true]} and {@code POST /v1/commands/?wait=&agent_token=} with
 * {@code {"name": "ext.cmd", "params": {}}}.
 *
 * <p>A command is run only with the agent token Ironic issued at the first lookup (401 without
 * it, or before there is one). Reading the command list with a wrong token is refused too; without
 * one it is allowed, as Ironic 21 (2023.1) reads it without, but the system logs a command
 * collected are then withheld. Errors are IPA's {@code {"faultcode", "faultstring"}}.
 */
final class IpaApiServer implements AutoCloseable {
    /** The version this agent reports to Ironic as {@code agent_version}. */
    static final String AGENT_VERSION = "metalboot-" + Optional.ofNullable(IpaApiServer.class.getPackage()
            .getImplementationVersion()).orElse("dev");
    private static final String LOGS_COMMAND = "collect_system_logs";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final IronicCommands commands;
    private final IpaCommandLog log;
    private final Supplier<Optional<String>> token;
    private final Instant started;
    private final Consumer<String> console;

    /**
     * @param tls   serve over TLS with this context (auto-TLS), or plain HTTP when empty
     * @param token the agent token, once the lookup gave one
     */
    IpaApiServer(InetSocketAddress address, Optional<SSLContext> tls, IronicCommands commands, IpaCommandLog log,
            Supplier<Optional<String>> token, Consumer<String> console) throws IOException {
        this.commands = commands;
        this.log = log;
        this.token = token;
        this.console = console;
        this.started = Instant.now();
        if (tls.isPresent()) {
            HttpsServer https = HttpsServer.create(address, 64);
            https.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
            server = https;
        } else {
            server = HttpServer.create(address, 64);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().replaceFirst("^/v1(?=/|$)", "");
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String method = exchange.getRequestMethod();
            if (path.equals("/") || path.isEmpty()) {
                respond(exchange, 200, IpaJson.bytes(root(exchange)));
            } else if (path.equals("/status") && method.equals("GET")) {
                respond(exchange, 200, IpaJson.bytes(Map.of("started_at", started.toEpochMilli() / 1000.0,
                        "version", AGENT_VERSION)));
            } else if (path.equals("/commands/") || path.equals("/commands")) {
                switch (method) {
                    case "GET" -> list(exchange, query);
                    case "POST" -> run(exchange, query);
                    default -> fault(exchange, 405, "The method is not allowed for the requested URL.");
                }
            } else if (path.startsWith("/commands/") && method.equals("GET")) {
                get(exchange, query, path.substring("/commands/".length()));
            } else {
                fault(exchange, 404, "Not found: The requested URL was not found.");
            }
        } catch (RuntimeException e) {
            console.accept("agent API: " + e);
            fault(exchange, 500, "Internal error: " + e.getMessage());
        }
    }

    private Map<String, Object> root(HttpExchange exchange) {
        Map<String, Object> version = Map.of("id", "v1");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", "OpenStack Ironic Python Agent API");
        root.put("description", "metalboot's agent, speaking ironic-python-agent's protocol");
        root.put("versions", List.of(version));
        root.put("default_version", version);
        return root;
    }

    /** Reading: a wrong token is refused; none is allowed, with collected logs withheld. */
    private Optional<Boolean> readAccess(HttpExchange exchange, Map<String, String> query) throws IOException {
        String given = query.get("agent_token");
        if (given == null) {
            return Optional.of(false);
        }
        if (!tokenMatches(given)) {
            fault(exchange, 401, "Token invalid.");
            return Optional.empty();
        }
        return Optional.of(true);
    }

    private void list(HttpExchange exchange, Map<String, String> query) throws IOException {
        Optional<Boolean> full = readAccess(exchange, query);
        if (full.isPresent()) {
            respond(exchange, 200, IpaJson.writeList(log.list().stream().map(r -> visible(r, full.get())).toList()));
        }
    }

    private void get(HttpExchange exchange, Map<String, String> query, String id) throws IOException {
        Optional<Boolean> full = readAccess(exchange, query);
        if (full.isEmpty()) {
            return;
        }
        Optional<IpaCommandResult> result = log.get(id);
        if (result.isEmpty()) {
            fault(exchange, 404, "Not found: no command " + id);
            return;
        }
        IpaCommandResult state = result.get();
        if ("true".equalsIgnoreCase(query.get("wait"))) {
            state = await(id);
        }
        respond(exchange, 200, IpaJson.write(visible(state, full.get())));
    }

    private void run(HttpExchange exchange, Map<String, String> query) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(16 << 20);
        IpaJson.CommandRequest request;
        try {
            request = IpaJson.readRequest(body);
        } catch (IllegalArgumentException e) {
            fault(exchange, 400, "Bad request: " + e.getMessage());
            return;
        }
        String given = query.get("agent_token");
        if (given == null || !tokenMatches(given)) {
            console.accept("agent API: refused " + request.name() + ": " + (given == null ? "no" : "a wrong") + " agent token");
            fault(exchange, 401, "Token invalid.");
            return;
        }
        IronicCommands.Command command;
        try {
            command = commands.command(request.name());
        } catch (IronicCommands.UnknownCommandException e) {
            fault(exchange, 400, e.getMessage());
            return;
        }
        String name = request.name().substring(request.name().indexOf('.') + 1);
        IpaCommandResult state;
        try {
            state = log.start(name, command.async(), () -> command.handler().run(request.params()));
        } catch (IpaCommandLog.BusyException e) {
            fault(exchange, 409, e.getMessage());
            return;
        }
        if (command.async() && "true".equalsIgnoreCase(query.get("wait"))) {
            state = await(state.id());
        }
        respond(exchange, 200, IpaJson.write(state));
    }

    private IpaCommandResult await(String id) {
        try {
            return log.await(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for command " + id);
        }
    }

    private static IpaCommandResult visible(IpaCommandResult result, boolean full) {
        return full || !result.commandName().equals(LOGS_COMMAND) || result.result() == null ? result
                : result.succeeded(Map.of("system_logs", "(withheld: ask with the agent token)"));
    }

    private boolean tokenMatches(String given) {
        return token.get().map(known -> MessageDigest.isEqual(known.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8))).orElse(false);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int equals = pair.indexOf('=');
                String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                query.putIfAbsent(key, equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private static void fault(HttpExchange exchange, int status, String faultstring) throws IOException {
        respond(exchange, status, IpaJson.fault(status, faultstring));
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
