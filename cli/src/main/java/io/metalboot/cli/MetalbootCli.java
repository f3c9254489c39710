package io.metalboot.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code metalboot}: the appliance's operator API from a shell. Every command is one or a few API
 * calls; its output is a table for people or, with {@code -o json}, the API's JSON for scripts.
 * The options before or after the command name the API and its token.
 */
@Command(name = "metalboot", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = MetalbootCli.Version.class,
        description = "The metalboot appliance's operator command line: its machines, images and status,"
                + " through the operator API.",
        subcommands = {MachinesCommand.class, ImagesCommand.class, StatusCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:failed: no connection, the appliance's own error (5xx), a local file (the token's), a deploy"
                    + " or fetch that failed",
            "2:usage: a command line that does not parse",
            "3:not found: no such machine or image (404)",
            "4:refused: the token (401, 403), the machine's state (409), a value the API rejects (400)"})
public final class MetalbootCli implements Runnable {
    static final String DEFAULT_API = "http://127.0.0.1:8081";
    static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/metalboot");

    /** How a command prints what it got. */
    enum Output {
        TABLE, JSON
    }

    @Option(names = "--api", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "The operator API (default: $METALBOOT_API, else " + DEFAULT_API + ", api.listen's default).")
    String api;

    @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The API token's file (default: STATE-DIR/api.token).")
    Path tokenFile;

    @Option(names = "--state-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "The appliance's state directory, where its token is (default: /var/lib/metalboot).")
    Path stateDir;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", scope = ScopeType.INHERIT,
            description = "table (for people, the default) or json (the API's JSON, for scripts).",
            converter = OutputConverter.class)
    Output output = Output.TABLE;

    @Spec
    CommandSpec spec;

    final Invocation invocation;
    final ObjectMapper json = JsonMapper.builder().build();
    private ApiClient client;

    MetalbootCli(Invocation invocation) {
        this.invocation = invocation;
    }

    public static void main(String[] args) {
        System.exit(run(args, Invocation.ofThisProcess()));
    }

    /** Runs one command line; its exit code. */
    static int run(String[] args, Invocation invocation) {
        CommandLine line = new CommandLine(new MetalbootCli(invocation));
        line.setOut(invocation.out());
        line.setErr(invocation.err());
        // picocli's own handling (the error, then suggestions or the usage), ending in the usage exit code.
        line.setParameterExceptionHandler((e, given) -> {
            CommandLine failing = e.getCommandLine();
            failing.getErr().println(e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, failing.getErr())) {
                failing.usage(failing.getErr());
            }
            failing.getErr().flush();
            return ExitCode.USAGE.code;
        });
        line.setExecutionExceptionHandler((e, failing, parsed) -> {
            if (e instanceof CommandFailure failure) {
                invocation.out().flush();
                invocation.err().println("metalboot: " + failure.getMessage());
                invocation.err().flush();
                return failure.exit().code;
            }
            throw e;
        });
        int exit = line.execute(args);
        invocation.out().flush();
        invocation.err().flush();
        return exit;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give a command: machines, images or status");
    }

    /** The API these options name, its token read at the first call. */
    ApiClient client() {
        if (client == null) {
            String url = api != null ? api : invocation.environment().getOrDefault("METALBOOT_API", DEFAULT_API);
            URI base;
            try {
                base = new URI(url);
            } catch (java.net.URISyntaxException e) {
                base = null;
            }
            if (base == null || !("http".equals(base.getScheme()) || "https".equals(base.getScheme()))
                    || base.getHost() == null) {
                throw new ParameterException(spec.commandLine(), "--api (or METALBOOT_API): not an http(s) URL: '"
                        + url + "'");
            }
            TokenFile token = tokenFile != null ? new TokenFile(tokenFile)
                    : TokenFile.in(stateDir != null ? stateDir : DEFAULT_STATE_DIR);
            client = new ApiClient(base, token, json);
        }
        return client;
    }

    boolean jsonOutput() {
        return output == Output.JSON;
    }

    PrintWriter out() {
        return invocation.out();
    }

    /** Where progress goes: the output, unless that is JSON for a script (then stderr, a terminal or not). */
    Progress progress() {
        return jsonOutput() ? Progress.on(invocation.err(), false) : Progress.on(invocation.out(), invocation.terminal());
    }

    /** The API's JSON, pretty-printed: what {@code -o json} prints. */
    void printJson(JsonNode node) {
        try {
            out().println(json.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree read from JSON writes as JSON", e);
        }
        out().flush();
    }

    /** "table" or "json", in any case. */
    static final class OutputConverter implements CommandLine.ITypeConverter<Output> {
        @Override
        public Output convert(String value) {
            try {
                return Output.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected table or json, not '" + value + "'");
            }
        }
    }

    /** The jar's Implementation-Version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = MetalbootCli.class.getPackage().getImplementationVersion();
            return new String[] {"metalboot CLI " + (version == null ? "(not a packaged build)" : version)};
        }
    }
}
