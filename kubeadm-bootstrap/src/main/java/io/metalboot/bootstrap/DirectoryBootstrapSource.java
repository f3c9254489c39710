package io.metalboot.bootstrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Bootstrap data from files, for sites without a management cluster. In {@code dir}, the first of
 * these that exists wins:
 * <ol>
 * <li>{@code by-mac/aa-bb-cc-dd-ee-ff}: the boot MAC address, lowercase, dashes;</li>
 * <li>{@code by-uuid/<uuid>}: the SMBIOS UUID in its standard lowercase form;</li>
 * <li>{@code default}.</li>
 * </ol>
 * The format is read from the content: a first line {@code #cloud-config} or
 * {@code ## template: jinja} is cloud-config; a JSON object with an {@code ignition} key is
 * Ignition; anything else is refused. Meta-data: {@code uuid} (the SMBIOS UUID, when known) and
 * {@code name}, {@code local-hostname}, {@code local_hostname} ("host-" and the MAC's twelve hex
 * digits), overlaid with the JSON object in the sibling {@code <file>.meta_data.json} if there is
 * one; network data is the sibling {@code <file>.network_data.json}, if there is one. Files are
 * read at every call.
 */
public final class DirectoryBootstrapSource implements BootstrapSource {
    private final Path dir;

    public DirectoryBootstrapSource(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    @Override
    public Optional<BootstrapData> find(MachineKeys keys) throws BootstrapException {
        for (Path candidate : candidates(keys)) {
            Optional<byte[]> value = read(candidate);
            if (value.isPresent()) {
                return Optional.of(new BootstrapData(format(value.get(), candidate), value.get(), metaData(keys, candidate),
                        networkData(candidate), "file " + candidate));
            }
        }
        return Optional.empty();
    }

    private List<Path> candidates(MachineKeys keys) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(dir.resolve("by-mac").resolve(keys.mac().toString().replace(':', '-')));
        keys.uuid().ifPresent(uuid -> candidates.add(dir.resolve("by-uuid").resolve(uuid.toString())));
        candidates.add(dir.resolve("default"));
        return candidates;
    }

    private static Optional<byte[]> read(Path file) throws BootstrapException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // removed between the check and the read
        } catch (IOException e) {
            throw new BootstrapException("file " + file + " cannot be read: " + e.getClass().getSimpleName(), e);
        }
    }

    static BootstrapFormat format(byte[] value, Path file) throws BootstrapException {
        String text = new String(value, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        String firstLine = (end < 0 ? text : text.substring(0, end)).strip();
        if (firstLine.equals("#cloud-config") || firstLine.startsWith("## template: jinja")) {
            return BootstrapFormat.CLOUD_CONFIG;
        }
        if (text.strip().startsWith("{")) {
            try {
                if (ApiObjects.parseMap(value, "file " + file).containsKey("ignition")) {
                    return BootstrapFormat.IGNITION;
                }
            } catch (BootstrapException e) {
                // not JSON: refused below, in the one message
            }
        }
        throw new BootstrapException("file " + file + " is neither cloud-config (first line #cloud-config or "
                + "## template: jinja) nor an Ignition config (a JSON object with an ignition key)");
    }

    private static Map<String, Object> metaData(MachineKeys keys, Path file) throws BootstrapException {
        Map<String, Object> metaData = new LinkedHashMap<>();
        keys.uuid().ifPresent(uuid -> metaData.put("uuid", uuid.toString()));
        String name = "host-" + keys.mac().toString().replace(":", "");
        metaData.put("name", name);
        metaData.put("local-hostname", name);
        metaData.put("local_hostname", name);
        Path sibling = file.resolveSibling(file.getFileName() + ".meta_data.json");
        Optional<byte[]> text = read(sibling);
        if (text.isPresent()) {
            metaData.putAll(ApiObjects.parseMap(text.get(), "file " + sibling));
        }
        return metaData;
    }

    private static Optional<String> networkData(Path file) throws BootstrapException {
        Path sibling = file.resolveSibling(file.getFileName() + ".network_data.json");
        Optional<byte[]> text = read(sibling);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ApiObjects.json(ApiObjects.parseMap(text.get(), "file " + sibling)));
    }
}
