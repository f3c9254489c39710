package io.metalboot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code metalboot machines deploy}: an available machine's deploy, of a catalog image or one on
 * any HTTP server; with {@code --wait}, followed until the machine leaves provisioning.
 */
@Command(name = "deploy", description = "Deploys an image onto an available machine's disk: a catalog image (--image)"
        + " or one on any HTTP server (--image-url with --checksum). With --wait, shows the write's progress until the"
        + " machine is provisioned (exit 0) or failed (exit 1).")
final class DeployCommand implements Callable<Integer> {
    /** About once a second: the agent reports progress at each heartbeat. */
    private static final long POLL_MILLIS = 1000;

    @ParentCommand
    MachinesCommand machines;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MAC", description = "The machine's MAC.")
    String mac;

    /** Where the image comes from: exactly one. */
    static final class Source {
        @Option(names = "--image", paramLabel = "NAME", required = true, description = "A catalog image.")
        String image;

        @Option(names = "--image-url", paramLabel = "URL", required = true,
                description = "An image on an HTTP(S) server (its query is never shown nor logged).")
        URI imageUrl;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--checksum", paramLabel = "ALGO:HEX", description = "With --image-url: sha256:… or sha512:….")
    String checksum;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "With --image-url: raw, qcow2, gzip, xz, zstd or detect (the default).")
    String format;

    @Option(names = "--hint", paramLabel = "KEY=VALUE",
            description = "A root-device hint, as Ironic's: serial, wwn, model, vendor, name, size (GiB), rotational…")
    Map<String, String> hints;

    @Option(names = "--read-back", description = "Read the written disk back and compare it with the image.")
    boolean readBack;

    @Option(names = "--wait", description = "Follow the deploy until the machine leaves provisioning.")
    boolean await;

    @Override
    public Integer call() throws InterruptedException {
        MetalbootCli cli = machines.cli;
        JsonNode started = cli.client().post(MachinesCommand.path(mac) + "/deploy", body(cli));
        String deployId = started.path("deployId").asText();
        String image = started.at("/machine/deploy/image").asText();
        String shortName = image.contains("/") ? image.substring(image.lastIndexOf('/') + 1) : image;
        if (!await) {
            if (cli.jsonOutput()) {
                cli.printJson(started);
            } else {
                cli.out().println(mac + ": provisioning, deploy " + deployId + " of " + image
                        + " (follow it with: metalboot machines show " + mac + ")");
            }
            return ExitCode.OK.code;
        }
        Progress progress = cli.progress();
        progress.note(mac + ": provisioning, deploy " + deployId + " of " + image);
        JsonNode machine;
        try {
            machine = follow(cli, deployId, shortName, progress);
        } catch (CommandFailure e) {
            progress.end(); // the bar's line finished before the error (a 404: deleted meanwhile)
            throw e;
        }
        if (cli.jsonOutput()) {
            cli.printJson(machine);
        }
        return ExitCode.OK.code;
    }

    private ObjectNode body(MetalbootCli cli) {
        ObjectNode body = cli.json.createObjectNode();
        if (source.image != null) {
            for (String only : new String[] {checksum == null ? null : "--checksum", format == null ? null : "--format"}) {
                if (only != null) {
                    throw new ParameterException(spec.commandLine(), only + " goes with --image-url: a catalog image"
                            + " has its own");
                }
            }
            body.put("image", source.image);
        } else {
            if (checksum == null) {
                throw new ParameterException(spec.commandLine(), "--image-url needs --checksum (sha256:… or sha512:…):"
                        + " the agent verifies what it writes against it");
            }
            body.put("imageUrl", source.imageUrl.toString()).put("checksum", checksum);
            if (format != null) {
                body.put("format", format);
            }
        }
        if (hints != null && !hints.isEmpty()) {
            ObjectNode hintNode = body.putObject("rootDeviceHints");
            hints.forEach((key, value) -> putHint(hintNode, key, value));
        }
        if (readBack) {
            body.put("readBack", true);
        }
        return body;
    }

    /**
     * Ironic's types: size is a number of GiB, rotational a boolean; every other hint a string, so
     * a serial such as 0123 keeps its zero.
     */
    private static void putHint(ObjectNode hints, String key, String value) {
        if (key.equals("size") && value.matches("\\d{1,18}")) {
            hints.put(key, Long.parseLong(value));
        } else if (key.equals("rotational") && (value.equals("true") || value.equals("false"))) {
            hints.put(key, Boolean.parseBoolean(value));
        } else {
            hints.put(key, value);
        }
    }

    /**
     * Polls the machine until deploy {@code deployId} ends: the machine as it then is, or a failure.
     * {@code image} as the bar names it: a catalog name, or a URL's last segment (the bar fits 80 columns).
     */
    private JsonNode follow(MetalbootCli cli, String deployId, String image, Progress progress)
            throws InterruptedException {
        boolean writing = false;
        boolean waiting = false;
        while (true) {
            JsonNode machine = cli.client().get(MachinesCommand.path(mac));
            JsonNode deploy = machine.path("deploy");
            if (!deployId.equals(deploy.path("id").asText())) {
                throw CommandFailure.failed(mac + ": deploy " + deployId + " is no longer its latest; "
                        + MachinesCommand.deploySummary(deploy) + " is");
            }
            String state = machine.path("state").asText();
            switch (deploy.path("state").asText()) {
                case "succeeded" -> {
                    long bytes = deploy.path("imageBytes").asLong(0);
                    if (writing) {
                        progress.update("writing " + image, bytes, bytes, null, 0L);
                    }
                    progress.end();
                    JsonNode disk = deploy.path("disk");
                    progress.note(mac + ": " + state + ", " + image + " written to "
                            + MachinesCommand.text(disk, "disk") + " (" + HumanReadable.bytes(bytes) + ")");
                    return machine;
                }
                case "failed" -> throw CommandFailure.failed(mac + ": " + state + ": "
                        + MachinesCommand.text(machine, "failureReason"));
                case "abandoned" -> throw CommandFailure.failed(mac + ": deploy " + deployId + " abandoned: the machine"
                        + " is " + state + " now");
                default -> {
                    if (!deploy.hasNonNull("bytesDone") && !waiting) {
                        waiting = true;
                        progress.note(mac + ": waiting for its agent to start writing");
                    }
                    if (deploy.hasNonNull("bytesDone")) {
                        writing = true;
                        progress.update("writing " + image, deploy.path("bytesDone").asLong(),
                                deploy.path("imageBytes").asLong(0),
                                deploy.hasNonNull("bytesPerSecond") ? deploy.path("bytesPerSecond").asLong() : null,
                                deploy.hasNonNull("etaSeconds") ? deploy.path("etaSeconds").asLong() : null);
                    }
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
