package io.metalboot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code metalboot machines …}: the machines the appliance knows, each by the MAC it booted from. */
@Command(name = "machines", description = "The machines the appliance knows, each by the MAC it PXE-booted from.",
        subcommands = {MachinesCommand.ListMachines.class, MachinesCommand.Show.class, MachinesCommand.History.class,
            MachinesCommand.Label.class, MachinesCommand.Inspect.class, DeployCommand.class,
            MachinesCommand.Reprovision.class, MachinesCommand.Delete.class})
final class MachinesCommand implements Runnable {
    @ParentCommand
    MetalbootCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "give a machines command: list, show, history, label, inspect, deploy, reprovision or delete");
    }

    static String path(String mac) {
        return "/api/v1/machines/" + ApiClient.segment(mac);
    }

    @Command(name = "list", description = "Every machine: its MAC, state, age in that state, serial, latest deploy, labels.")
    static final class ListMachines implements Callable<Integer> {
        @ParentCommand
        MachinesCommand machines;

        @Override
        public Integer call() {
            MetalbootCli cli = machines.cli;
            JsonNode all = cli.client().get("/api/v1/machines");
            if (cli.jsonOutput()) {
                cli.printJson(all);
                return ExitCode.OK.code;
            }
            Table table = Table.withHeader("MAC", "STATE", "AGE", "SERIAL", "DEPLOY", "LABELS");
            Instant now = Instant.now();
            for (JsonNode m : all) {
                table.row(m.path("mac").asText(), m.path("state").asText(), age(m, now), text(m, "serial"),
                        deploySummary(m.path("deploy")), labels(m.path("labels")));
            }
            table.print(cli.out());
            return ExitCode.OK.code;
        }
    }

    @Command(name = "show", description = "One machine: identity, state, labels, agent, alerts, latest deploy.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        MachinesCommand machines;

        @Parameters(paramLabel = "MAC", description = "The machine's MAC.")
        String mac;

        @Override
        public Integer call() {
            MetalbootCli cli = machines.cli;
            JsonNode m = cli.client().get(path(mac));
            if (cli.jsonOutput()) {
                cli.printJson(m);
            } else {
                fields(m).print(cli.out());
            }
            return ExitCode.OK.code;
        }
    }

    @Command(name = "history", description = "A machine's stored transitions, oldest first.")
    static final class History implements Callable<Integer> {
        @ParentCommand
        MachinesCommand machines;

        @Parameters(paramLabel = "MAC", description = "The machine's MAC.")
        String mac;

        @Override
        public Integer call() {
            MetalbootCli cli = machines.cli;
            JsonNode history = cli.client().get(path(mac) + "/history");
            if (cli.jsonOutput()) {
                cli.printJson(history);
                return ExitCode.OK.code;
            }
            Table table = Table.withHeader("AT", "FROM", "TO", "CAUSE", "REASON");
            for (JsonNode t : history) {
                table.row(HumanReadable.instant(text(t, "at")), text(t, "from"), text(t, "to"), text(t, "cause"), text(t, "reason"));
            }
            table.print(cli.out());
            return ExitCode.OK.code;
        }
    }

    /** One label change of {@code machines label}: KEY=VALUE sets, KEY- removes. */
    sealed interface LabelChange {
        String key();

        record Set(String key, String value) implements LabelChange {
        }

        record Remove(String key) implements LabelChange {
        }

        static LabelChange parse(String argument) {
            int equals = argument.indexOf('=');
            if (equals > 0) {
                return new Set(argument.substring(0, equals), argument.substring(equals + 1));
            }
            if (equals < 0 && argument.length() > 1 && argument.endsWith("-")) {
                return new Remove(argument.substring(0, argument.length() - 1));
            }
            throw new IllegalArgumentException("'" + argument + "': expected KEY=VALUE (set) or KEY- (remove)");
        }
    }

    @Command(name = "label", description = "Sets (KEY=VALUE) and removes (KEY-) a machine's labels, in the order given;"
            + " keys and values are Kubernetes label syntax (metalboot.io/role=worker).")
    static final class Label implements Callable<Integer> {
        @ParentCommand
        MachinesCommand machines;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "MAC", description = "The machine's MAC.")
        String mac;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE|KEY-", description = "The changes.")
        List<String> changes;

        @Override
        public Integer call() {
            List<LabelChange> parsed = new ArrayList<>();
            for (String change : changes) {
                try {
                    parsed.add(LabelChange.parse(change));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            MetalbootCli cli = machines.cli;
            JsonNode machine = null;
            for (LabelChange change : parsed) {
                String label = path(mac) + "/labels/" + ApiClient.segment(change.key());
                machine = switch (change) {
                    case LabelChange.Set set -> cli.client().put(label, cli.json.createObjectNode().put("value", set.value()));
                    case LabelChange.Remove remove -> cli.client().delete(label);
                };
            }
            if (cli.jsonOutput()) {
                cli.printJson(machine);
                return ExitCode.OK.code;
            }
            Table table = Table.withHeader("KEY", "VALUE");
            machine.path("labels").properties().forEach(e -> table.row(e.getKey(), e.getValue().asText()));
            table.print(cli.out());
            return ExitCode.OK.code;
        }
    }

    @Command(name = "inspect", description = "Sends a machine back to inspecting: its agent, if one runs, inspects it now;"
            + " else its next boot's agent does. It is available again once inspected.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand
        MachinesCommand machines;

        @Parameters(paramLabel = "MAC", description = "The machine's MAC.")
        String mac;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Stored in its history.")
        String reason;

        @Override
        public Integer call() {
            MetalbootCli cli = machines.cli;
            ObjectNode body = cli.json.createObjectNode().put("state", "inspecting");
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode machine = cli.client().post(path(mac) + "/state", body);
            JsonNode agent = machine.path("agent");
            boolean agentRuns = agent.isObject() && !agent.path("lost").asBoolean();
            if (agentRuns) {
                try {
                    machine = cli.client().post(path(mac) + "/actions", cli.json.createObjectNode().put("kind", "inspect"));
                } catch (CommandFailure e) {
                    if (e.exit() != ExitCode.REFUSED) {
                        throw e;
                    }
                    agentRuns = false; // 409: its agent went away since; the machine's next boot inspects it
                }
            }
            if (cli.jsonOutput()) {
                cli.printJson(machine);
            } else {
                cli.out().println(mac + ": inspecting; " + (agentRuns ? "its agent inspects it now"
                        : "the agent inspects it at its next boot (power-cycle it if it does not reboot by itself)"));
            }
            return ExitCode.OK.code;
        }
    }

    @Command(name = "reprovision", description = "Sends a provisioned, joined or failed machine back to be deployed again:"
            + " inspecting now, available once its agent inspected it (at its next boot, or at once if its agent still"
            + " runs), then it takes a deploy.")
    static final class Reprovision implements Callable<Integer> {
        @ParentCommand
        MachinesCommand machines;

        @Parameters(paramLabel = "MAC", description = "The machine's MAC.")
        String mac;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Stored in its history.")
        String reason;

        @Override
        public Integer call() {
            MetalbootCli cli = machines.cli;
            ObjectNode body = cli.json.createObjectNode();
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode machine = cli.client().post(path(mac) + "/reprovision", body);
            if (cli.jsonOutput()) {
                cli.printJson(machine);
            } else {
                cli.out().println(mac + ": " + machine.path("state").asText() + "; its next boot runs the agent"
                        + " (power-cycle it if it does not reboot by itself), and once available it takes a deploy");
            }
            return ExitCode.OK.code;
        }
    }

    @Command(name = "delete", description = "Forgets a machine: its record, history, labels, inventory and credentials."
            + " Refused while a deploy runs on it. If it boots again it is a new machine.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        MachinesCommand machines;

        @Parameters(paramLabel = "MAC", description = "The machine's MAC.")
        String mac;

        @Override
        public Integer call() {
            MetalbootCli cli = machines.cli;
            cli.client().delete(path(mac));
            if (cli.jsonOutput()) {
                cli.printJson(cli.json.createObjectNode().put("mac", mac).put("deleted", true));
            } else {
                cli.out().println(mac + ": deleted");
            }
            return ExitCode.OK.code;
        }
    }

    // ---- what people see of a machine ----

    /** A field's text, or null when absent or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    static String age(JsonNode machine, Instant now) {
        String since = text(machine, "since");
        return since == null ? null : HumanReadable.age(Instant.parse(since), now);
    }

    static String labels(JsonNode labels) {
        StringJoiner joined = new StringJoiner(",");
        labels.properties().forEach(e -> joined.add(e.getKey() + "=" + e.getValue().asText()));
        return joined.toString();
    }

    /** "base: running 40%", "base: succeeded", or null before any deploy. */
    static String deploySummary(JsonNode deploy) {
        if (!deploy.isObject()) {
            return null;
        }
        String state = deploy.path("state").asText();
        long imageBytes = deploy.path("imageBytes").asLong(0);
        String progress = "running".equals(state) && deploy.hasNonNull("bytesDone") && imageBytes > 0
                ? " " + Progress.percent(deploy.path("bytesDone").asLong(), imageBytes) + "%" : "";
        return deploy.path("image").asText() + ": " + state + progress;
    }

    /** The machine as name and value lines. */
    static Table fields(JsonNode m) {
        Instant now = Instant.now();
        Table fields = Table.fields()
                .field("mac", text(m, "mac"))
                .field("uuid", text(m, "uuid"))
                .field("serial", text(m, "serial"))
                .field("state", text(m, "state") + (m.hasNonNull("failureReason") ? " (" + text(m, "failureReason") + ")" : ""))
                .field("since", text(m, "since") == null ? null : HumanReadable.instant(text(m, "since")) + " (" + age(m, now)
                        + " ago)")
                .field("labels", labels(m.path("labels")));
        JsonNode agent = m.path("agent");
        fields.field("agent", !agent.isObject() ? "none this boot" : (agent.path("lost").asBoolean() ? "lost, " : "")
                + "last heartbeat " + HumanReadable.instant(text(agent, "lastHeartbeat")) + (agent.hasNonNull("action")
                ? ", running " + text(agent, "action") : ", waiting"));
        for (JsonNode alert : m.path("alerts")) {
            fields.field("alert", HumanReadable.instant(text(alert, "at")) + " " + text(alert, "message"));
        }
        JsonNode deploy = m.path("deploy");
        if (deploy.isObject()) {
            String state = deploy.path("state").asText();
            String figures = deploy.hasNonNull("bytesDone") && !"succeeded".equals(state)
                    ? ", " + Progress.percent(deploy.path("bytesDone").asLong(), deploy.path("imageBytes").asLong(0))
                    + "% (" + Progress.figures(deploy.path("bytesDone").asLong(), deploy.path("imageBytes").asLong(0),
                            deploy.hasNonNull("bytesPerSecond") ? deploy.path("bytesPerSecond").asLong() : null,
                            deploy.hasNonNull("etaSeconds") ? deploy.path("etaSeconds").asLong() : null) + ")"
                    : "";
            fields.field("deploy", text(deploy, "id") + " of " + text(deploy, "image") + ": " + state + figures)
                    .field("requested", HumanReadable.instant(text(deploy, "requestedAt")) + ", root-device hints "
                            + hints(deploy.path("rootDeviceHints")) + ", read-back " + (deploy.path("readBack").asBoolean()
                            ? "yes" : "no"));
            JsonNode disk = deploy.path("disk");
            if (disk.isObject()) {
                fields.field("disk", text(disk, "disk") + " (" + text(disk, "tableType") + ", "
                        + HumanReadable.bytes(disk.path("imageBytes").asLong()) + " written"
                        + (disk.hasNonNull("rootPartition") ? ", root " + text(disk, "rootPartition") : "") + ")");
            }
        }
        return fields;
    }

    private static String hints(JsonNode hints) {
        if (!hints.isObject() || hints.isEmpty()) {
            return "none";
        }
        StringJoiner joined = new StringJoiner(", ");
        for (Map.Entry<String, JsonNode> hint : hints.properties()) {
            joined.add(hint.getKey() + "=" + hint.getValue().asText());
        }
        return joined.toString();
    }
}
