package io.metalboot.appliance.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the config file, lays it over the embedded defaults and binds it. Every error names the
 * file, the line and the key, so that an operator can fix it without reading code.
 */
public final class ConfigLoader {
    static final String DEFAULTS = "metalboot-defaults.yaml";

    private ConfigLoader() {
    }

    /** The bound config, plus where each key stood in the user's file, for later error messages. */
    public record LoadedConfig(ApplianceConfig config, String source, Map<String, JsonLocation> keyLocations) {
        /** "FILE:LINE: key: message" for a value that turned out unusable after loading. */
        public String describe(ConfigException error) {
            return ConfigLoader.describe(source, keyLocations, error.key(), error.getMessage());
        }
    }

    /** A config that cannot be used; the message is complete, ready to print. */
    public static final class ConfigLoadException extends Exception {
        private static final long serialVersionUID = 1L;

        ConfigLoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static LoadedConfig defaults() throws ConfigLoadException {
        return load(null, null);
    }

    public static LoadedConfig load(Path file) throws ConfigLoadException {
        try {
            return load(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ConfigLoadException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Loads {@code yaml} (null: defaults only) and names it {@code source} in messages. */
    public static LoadedConfig load(String yaml, String source) throws ConfigLoadException {
        ObjectMapper mapper = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS) // "port: yes" is an error, not 1
                .build();
        ObjectNode merged = defaultsTree(mapper);
        Map<String, JsonLocation> locations = Map.of();
        String name = source == null ? "embedded defaults" : source;
        if (yaml != null) {
            try {
                locations = keyLocations(mapper, yaml);
                JsonNode user = mapper.readTree(yaml);
                if (user != null && !user.isMissingNode() && !user.isNull()) {
                    if (!user.isObject()) {
                        throw new ConfigLoadException(name + ": the config must be a mapping of keys", null);
                    }
                    overlay(merged, (ObjectNode) user);
                }
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                throw new ConfigLoadException(name + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                        + ": not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""), e);
            } catch (IOException e) {
                throw new ConfigLoadException(name + ": cannot read: " + e.getMessage(), e);
            }
        }
        try {
            return new LoadedConfig(mapper.treeToValue(merged, ApplianceConfig.class), name, locations);
        } catch (JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            String message = e.getOriginalMessage();
            if (rootCause(e) instanceof ConfigException invalid) {
                path = path.isEmpty() ? invalid.key() : path + "." + invalid.key();
                message = invalid.getMessage();
            } else {
                message = message.replaceAll(" \\((class|but might) [^)]*\\)", "").replaceAll("\\n.*", "");
            }
            throw new ConfigLoadException(describe(name, locations, path, message), e);
        } catch (JsonProcessingException e) {
            throw new ConfigLoadException(name + ": " + e.getOriginalMessage(), e);
        } catch (ConfigException e) {
            throw new ConfigLoadException(describe(name, locations, e.key(), e.getMessage()), e);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    static String describe(String source, Map<String, JsonLocation> locations, String key, String message) {
        String probe = key;
        while (!probe.isEmpty() && !locations.containsKey(probe)) {
            int dot = Math.max(probe.lastIndexOf('.'), probe.lastIndexOf('['));
            probe = dot < 0 ? "" : probe.substring(0, dot);
        }
        JsonLocation at = locations.get(probe);
        String where = at == null ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
        return where + ": " + key + ": " + message;
    }

    private static ObjectNode defaultsTree(ObjectMapper mapper) {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS + " is missing from the appliance's jar");
            }
            return (ObjectNode) mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Maps recursively; lists and scalars from the user replace the defaults whole. */
    private static void overlay(ObjectNode base, ObjectNode user) {
        user.properties().forEach(entry -> {
            JsonNode current = base.get(entry.getKey());
            if (current instanceof ObjectNode baseChild && entry.getValue() instanceof ObjectNode userChild) {
                overlay(baseChild, userChild);
            } else {
                base.set(entry.getKey(), entry.getValue());
            }
        });
    }

    /** One open mapping or list while walking the YAML: its path segment and, for a list, the next index. */
    private static final class Frame {
        final String segment;
        final boolean list;
        int index;

        Frame(String segment, boolean list) {
            this.segment = segment;
            this.list = list;
        }
    }

    /** Dotted key path (list items as [i]) to the location of that key or item in the text. */
    private static Map<String, JsonLocation> keyLocations(ObjectMapper mapper, String yaml) throws IOException {
        Map<String, JsonLocation> locations = new HashMap<>();
        Deque<Frame> open = new ArrayDeque<>();
        String pendingKey = null;
        try (JsonParser parser = mapper.getFactory().createParser(yaml)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                Frame parent = open.peekLast();
                switch (token) {
                    case FIELD_NAME -> {
                        pendingKey = parser.currentName();
                        locations.put(path(open, pendingKey), parser.currentTokenLocation());
                    }
                    case START_OBJECT, START_ARRAY -> {
                        String segment = pendingKey;
                        if (segment == null && parent != null && parent.list) {
                            segment = "[" + parent.index + "]";
                            locations.put(path(open, segment), parser.currentTokenLocation());
                        }
                        open.addLast(new Frame(segment, token == JsonToken.START_ARRAY));
                        pendingKey = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        open.pollLast();
                        Frame outer = open.peekLast();
                        if (outer != null && outer.list) {
                            outer.index++;
                        }
                    }
                    default -> {
                        if (pendingKey == null && parent != null && parent.list) {
                            locations.put(path(open, "[" + parent.index + "]"), parser.currentTokenLocation());
                            parent.index++;
                        }
                        pendingKey = null;
                    }
                }
            }
        }
        return locations;
    }

    private static String path(Deque<Frame> open, String last) {
        StringBuilder joined = new StringBuilder();
        for (Frame frame : open) {
            append(joined, frame.segment);
        }
        append(joined, last);
        return joined.toString();
    }

    private static void append(StringBuilder joined, String segment) {
        if (segment == null) {
            return;
        }
        if (!segment.startsWith("[") && !joined.isEmpty()) {
            joined.append('.');
        }
        joined.append(segment);
    }
}
