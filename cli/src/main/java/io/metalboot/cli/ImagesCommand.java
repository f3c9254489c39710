package io.metalboot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code metalboot images …}: the appliance's image catalog. */
@Command(name = "images", description = "The image catalog: what machines can be deployed with.",
        subcommands = {ImagesCommand.Add.class, ImagesCommand.ListImages.class, ImagesCommand.Show.class,
            ImagesCommand.Remove.class})
final class ImagesCommand implements Runnable {
    /** About once a second, as the deploy's progress. */
    private static final long POLL_MILLIS = 1000;
    /** A local image's PUT answers once the appliance has read the whole file through. */
    private static final Duration READ_THROUGH = Duration.ofHours(2);

    @ParentCommand
    MetalbootCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give an images command: add, list, show or remove");
    }

    static String path(String name) {
        return "/api/v1/images/" + ApiClient.segment(name);
    }

    @Command(name = "add", description = "Adds (or replaces) an image: an upstream URL, fetched once into the"
            + " appliance's cache and verified, or a file on the appliance's host, read through at once. Shows the"
            + " appliance's fetch as it runs (images.fetch-eagerly; else the first deploy fetches it).")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        ImagesCommand images;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "Its catalog name: [A-Za-z0-9][A-Za-z0-9._-]*.")
        String name;

        /** Where the image is: exactly one. */
        static final class Source {
            @Option(names = "--url", paramLabel = "URL", required = true, description = "An http(s) URL.")
            URI url;

            @Option(names = "--path", paramLabel = "FILE", required = true,
                    description = "A file on this host, which is the appliance's.")
            Path path;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--checksum", paramLabel = "ALGO:HEX", description = "sha256:… or sha512:… (needed with --url;"
                + " with --path, the file's sha256 is computed here when not given).")
        String checksum;

        @Option(names = "--format", paramLabel = "FORMAT", description = "raw, qcow2, gzip, xz, zstd or detect (the default).")
        String format;

        @Option(names = "--no-wait", description = "Return at once, not when the appliance's fetch ends.")
        boolean noWait;

        @Override
        public Integer call() throws InterruptedException {
            MetalbootCli cli = images.cli;
            ObjectNode body = cli.json.createObjectNode();
            String sum = checksum;
            if (source.url != null) {
                if (sum == null) {
                    throw new ParameterException(spec.commandLine(), "--url needs --checksum (sha256:… or sha512:…):"
                            + " the appliance verifies what it fetches against it");
                }
                body.put("url", source.url.toString());
            } else {
                Path file = source.path.toAbsolutePath().normalize();
                if (sum == null) {
                    sum = sha256(file, cli.progress());
                }
                body.put("path", file.toString());
            }
            body.put("checksum", sum);
            if (format != null) {
                body.put("format", format);
            }
            ApiClient.Reply reply = cli.client().send("PUT", path(name), body, READ_THROUGH);
            JsonNode image = reply.body();
            String added = reply.status() == 201 ? "added" : "replaced";
            if ("fetching".equals(image.path("state").asText()) && !noWait) {
                Progress progress = cli.progress();
                try {
                    image = follow(cli, progress);
                } catch (CommandFailure e) {
                    progress.end();
                    throw e;
                }
            }
            if (cli.jsonOutput()) {
                cli.printJson(image);
                return ExitCode.OK.code;
            }
            String state = image.path("state").asText();
            cli.out().println(name + ": " + added + ", " + switch (state) {
                case "absent" -> "fetched when a machine first needs it (images.fetch-eagerly is off)";
                case "fetching" -> "being fetched (follow it with: metalboot images show " + name + ")";
                case "cached" -> "fetched and verified, " + HumanReadable.bytes(image.path("size").asLong());
                case "local" -> "read through and verified, " + HumanReadable.bytes(image.path("size").asLong());
                default -> state;
            });
            return ExitCode.OK.code;
        }

        /** Polls the image until its fetch ends: cached, or a failure saying why. */
        private JsonNode follow(MetalbootCli cli, Progress progress) throws InterruptedException {
            long lastBytes = 0;
            long lastAt = System.nanoTime();
            Long rate = null;
            boolean verifying = false;
            while (true) {
                JsonNode image = cli.client().get(path(name));
                String state = image.path("state").asText();
                if (!state.equals("fetching")) {
                    if (state.equals("failed")) {
                        throw CommandFailure.failed(name + ": the appliance's fetch failed: "
                                + MachinesCommand.text(image, "lastError"));
                    }
                    progress.end();
                    return image;
                }
                long size = image.path("size").asLong(0);
                long bytes = image.path("bytesFetched").asLong(0);
                long now = System.nanoTime();
                if (bytes > lastBytes && now > lastAt) {
                    rate = (bytes - lastBytes) * 1_000_000_000L / (now - lastAt);
                }
                lastBytes = bytes;
                lastAt = now;
                if (size > 0 && bytes >= size) {
                    if (!verifying) {
                        verifying = true;
                        progress.update("fetching " + name, bytes, size, null, 0L);
                        progress.note(name + ": fetched, verifying (checksum, format)");
                    }
                } else {
                    progress.update("fetching " + name, bytes, size, rate,
                            rate == null || rate == 0 || size == 0 ? null : (size - bytes) / rate);
                }
                Thread.sleep(POLL_MILLIS);
            }
        }

        /** The file's sha256, computed here (this host is the appliance's), with its progress. */
        private static String sha256(Path file, Progress progress) {
            MessageDigest digest;
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
            String what = "checksum " + file.getFileName();
            try (InputStream in = Files.newInputStream(file)) {
                long size = Files.size(file);
                long done = 0;
                long started = System.nanoTime();
                long shown = 0;
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                    done += n;
                    long now = System.nanoTime();
                    if (now - shown > 100_000_000L || done == size) {
                        shown = now;
                        long rate = now > started ? done * 1_000_000_000L / (now - started) : 0;
                        progress.update(what, done, size, rate, rate == 0 ? null : (size - done) / rate);
                    }
                }
            } catch (NoSuchFileException e) {
                throw CommandFailure.failed(file + ": no such file");
            } catch (IOException e) {
                throw CommandFailure.failed(file + ": " + e.getMessage());
            }
            progress.end();
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        }
    }

    @Command(name = "list", description = "Every image: its state here, format, size, who defined it, where it comes from.")
    static final class ListImages implements Callable<Integer> {
        @ParentCommand
        ImagesCommand images;

        @Override
        public Integer call() {
            MetalbootCli cli = images.cli;
            JsonNode all = cli.client().get("/api/v1/images");
            if (cli.jsonOutput()) {
                cli.printJson(all);
                return ExitCode.OK.code;
            }
            Table table = Table.withHeader("NAME", "STATE", "FORMAT", "SIZE", "DEFINED-BY", "SOURCE");
            for (JsonNode image : all) {
                table.row(image.path("name").asText(), image.path("state").asText(), MachinesCommand.text(image, "format"),
                        image.hasNonNull("size") ? HumanReadable.bytes(image.path("size").asLong()) : null,
                        MachinesCommand.text(image, "definedBy"), source(image));
            }
            table.print(cli.out());
            return ExitCode.OK.code;
        }
    }

    @Command(name = "show", description = "One image: its source, format, checksum, state here, size, last error.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        ImagesCommand images;

        @Parameters(paramLabel = "NAME", description = "Its catalog name.")
        String name;

        @Override
        public Integer call() {
            MetalbootCli cli = images.cli;
            JsonNode image = cli.client().get(path(name));
            if (cli.jsonOutput()) {
                cli.printJson(image);
                return ExitCode.OK.code;
            }
            Table fields = Table.fields().field("name", MachinesCommand.text(image, "name"))
                    .field("source", source(image))
                    .field("format", MachinesCommand.text(image, "format"))
                    .field("checksum", MachinesCommand.text(image, "checksum"))
                    .field("defined by", MachinesCommand.text(image, "definedBy"))
                    .field("state", MachinesCommand.text(image, "state") + (image.hasNonNull("bytesFetched")
                            ? " (" + Progress.figures(image.path("bytesFetched").asLong(), image.path("size").asLong(0),
                                    null, null) + ")" : ""))
                    .field("size", image.hasNonNull("size") ? HumanReadable.bytes(image.path("size").asLong()) : null)
                    .field("last served", HumanReadable.instant(MachinesCommand.text(image, "lastServed")));
            if (image.hasNonNull("lastError")) {
                fields.field("last error", MachinesCommand.text(image, "lastError"));
            }
            fields.print(cli.out());
            return ExitCode.OK.code;
        }
    }

    @Command(name = "remove", description = "Removes an image the API added (the config's are read-only), and its cached file.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        ImagesCommand images;

        @Parameters(paramLabel = "NAME", description = "Its catalog name.")
        String name;

        @Override
        public Integer call() {
            MetalbootCli cli = images.cli;
            cli.client().delete(path(name));
            if (cli.jsonOutput()) {
                cli.printJson(cli.json.createObjectNode().put("name", name).put("removed", true));
            } else {
                cli.out().println(name + ": removed");
            }
            return ExitCode.OK.code;
        }
    }

    /** The URL without its query (a presigned URL's query is a credential), or the path. */
    static String source(JsonNode image) {
        String url = MachinesCommand.text(image, "url");
        if (url != null) {
            int query = url.indexOf('?');
            return query < 0 ? url : url.substring(0, query) + "?…";
        }
        return MachinesCommand.text(image, "path");
    }
}
