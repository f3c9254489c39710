package io.metalboot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code metalboot status}: the appliance at a glance. */
@Command(name = "status", description = "The appliance at a glance: version, uptime, its services and where they"
        + " listen, machines by state, images.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    MetalbootCli cli;

    @Override
    public Integer call() {
        JsonNode status = cli.client().get("/api/v1/status");
        if (cli.jsonOutput()) {
            cli.printJson(status);
            return ExitCode.OK.code;
        }
        Table.fields()
                .field("version", MachinesCommand.text(status, "version"))
                .field("started", HumanReadable.instant(MachinesCommand.text(status, "startedAt")) + " (up "
                        + HumanReadable.duration(status.path("uptimeSeconds").asLong()) + ")")
                .field("ready", status.path("ready").asBoolean() ? "yes" : "no: services are still starting")
                .field("machines", status.at("/machines/total").asInt())
                .field("images", status.hasNonNull("images") ? status.get("images").asText() : "off (http.enabled: false)")
                .print(cli.out());
        cli.out().println();
        Table services = Table.withHeader("SERVICE", "LISTENER", "PROTOCOL", "ADDRESS", "INTERFACE");
        for (JsonNode service : status.path("services")) {
            if (service.path("listening").isEmpty()) {
                services.row(service.path("name").asText(), null, null, null, null);
            }
            for (JsonNode listener : service.path("listening")) {
                services.row(service.path("name").asText(), listener.path("name").asText(),
                        listener.path("protocol").asText(), listener.path("address").asText() + ":"
                                + listener.path("port").asInt(), MachinesCommand.text(listener, "interface"));
            }
        }
        services.print(cli.out());
        cli.out().println();
        Table states = Table.withHeader("STATE", "MACHINES");
        status.at("/machines/byState").properties().forEach(e -> states.row(e.getKey(), e.getValue().asInt()));
        states.print(cli.out());
        return ExitCode.OK.code;
    }
}
