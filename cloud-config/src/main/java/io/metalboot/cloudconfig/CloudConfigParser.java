package io.metalboot.cloudconfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A rendered cloud-config's YAML into {@link CloudConfig}, with cloud-init's rules for each key
 * (cc_write_files, cc_users_groups, cc_ntp, util.shellify). Every key it does not carry out is
 * refused by name: a node that half-ran its bootstrap is harder to debug than one that did not.
 */
final class CloudConfigParser {
    private static final Set<String> WRITE_FILE_KEYS = Set.of("path", "content", "encoding", "owner", "permissions",
            "append", "defer");
    private static final Set<String> USER_KEYS = Set.of("name", "gecos", "groups", "homedir", "passwd",
            "primary_group", "shell", "system", "uid", "no_create_home", "lock_passwd", "sudo",
            "ssh_authorized_keys");
    private static final Set<String> NTP_KEYS = Set.of("enabled", "servers", "pools");
    private static final Pattern OCTAL = Pattern.compile("(?:0[oO])?([0-7]+)");

    private CloudConfigParser() {
    }

    static CloudConfig parse(String renderedCloudConfig) throws CloudConfigException {
        Map<String, Object> top = topLevel(renderedCloudConfig);
        Optional<CommandScript> bootcmd = Optional.empty();
        Optional<CommandScript> runcmd = Optional.empty();
        List<WriteFile> files = List.of();
        List<GroupSpec> groups = List.of();
        List<UserSpec> users = List.of();
        Optional<NtpSpec> ntp = Optional.empty();
        for (Map.Entry<String, Object> e : top.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            switch (key) {
                case "bootcmd" -> bootcmd = Optional.of(commands(key, value));
                case "runcmd" -> runcmd = Optional.of(commands(key, value));
                case "write_files" -> files = writeFiles(value);
                case "groups" -> groups = groups(value);
                case "users" -> users = users(value);
                case "ntp" -> ntp = Optional.of(ntp(value));
                default -> throw new CloudConfigException.Unsupported(key);
            }
        }
        return new CloudConfig(bootcmd, files, groups, users, ntp, runcmd);
    }

    /** YAML 1.1 as PyYAML reads it (cloud-init's safeyaml): 0644 is octal, yes/no are booleans. */
    private static Map<String, Object> topLevel(String text) throws CloudConfigException {
        LoaderOptions options = new LoaderOptions();
        // PyYAML keeps the last of two equal keys; refusing is kinder than silently losing one.
        options.setAllowDuplicateKeys(false);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            // SnakeYAML's messages quote the offending line, which may hold a token: say where only.
            throw new CloudConfigException.Malformed("YAML: " + yamlWhere(e));
        }
        if (root == null) {
            return Map.of();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new CloudConfigException.Malformed("not a cloud-config: the YAML document is not a mapping");
        }
        Map<String, Object> top = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new CloudConfigException.Malformed("not a cloud-config: top-level key '" + e.getKey()
                        + "' is not a string");
            }
            top.put(key, e.getValue());
        }
        return top;
    }

    private static String yamlWhere(YAMLException e) {
        if (e instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked) {
            String problem = marked.getProblem() == null ? "syntax error" : marked.getProblem();
            return problem + (marked.getProblemMark() == null ? ""
                    : " at line " + (marked.getProblemMark().getLine() + 1) + ", column "
                    + (marked.getProblemMark().getColumn() + 1));
        }
        return e.getClass().getSimpleName();
    }

    private static CommandScript commands(String key, Object value) throws CloudConfigException {
        List<?> items = list(key, value);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (item == null) {
                continue; // a YAML comment in the list: shellify skips it
            }
            if (item instanceof String line) {
                lines.add(line);
            } else if (item instanceof List<?> argv) {
                List<String> words = new ArrayList<>();
                for (Object word : argv) {
                    words.add(ShellScript.quote(pythonString(key + "[" + i + "]", word)));
                }
                lines.add(String.join(" ", words));
            } else {
                throw new CloudConfigException.Malformed(key + "[" + i + "]: neither a string nor a list");
            }
        }
        return new CommandScript(lines);
    }

    private static List<WriteFile> writeFiles(Object value) throws CloudConfigException {
        List<?> items = list("write_files", value);
        List<WriteFile> files = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String where = "write_files[" + i + "]";
            Map<String, Object> f = mapping(where, items.get(i), WRITE_FILE_KEYS);
            String path = string(where + ".path", f.get("path"))
                    .orElseThrow(() -> new CloudConfigException.Malformed(where + ".path: missing"));
            if (!path.startsWith("/")) {
                throw new CloudConfigException.Malformed(where + ".path: not absolute");
            }
            String encoding = string(where + ".encoding", f.get("encoding")).orElse("").strip()
                    .toLowerCase(Locale.ROOT);
            byte[] raw = content(where, f.get("content"));
            boolean gzipped;
            byte[] data;
            switch (encoding) {
                case "", "text/plain" -> {
                    gzipped = false;
                    data = raw;
                }
                case "b64", "base64" -> {
                    gzipped = false;
                    data = base64(where, raw);
                }
                case "gz", "gzip" -> {
                    gzipped = true;
                    data = raw;
                }
                case "gz+base64", "gzip+base64", "gz+b64", "gzip+b64" -> {
                    gzipped = true;
                    data = base64(where, raw);
                }
                // cloud-init warns and writes such content as text; writing base32 as text is no bootstrap.
                default -> throw new CloudConfigException.Unsupported(where + ".encoding: '" + encoding + "'");
            }
            if (gzipped) {
                checkGzip(where, data);
            }
            boolean deferred = bool(where + ".defer", f.get("defer"), false);
            files.add(new WriteFile(Path.of(path).normalize().toString(), data, gzipped,
                    owner(where + ".owner", f.get("owner")), permissions(where + ".permissions", f.get("permissions")),
                    bool(where + ".append", f.get("append"), false), deferred));
        }
        return files;
    }

    private static byte[] content(String where, Object content) throws CloudConfigException {
        if (content == null) {
            return new byte[0];
        }
        if (content instanceof byte[] bytes) {
            return bytes; // !!binary
        }
        if (content instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        throw new CloudConfigException.Malformed(where + ".content: neither a string nor !!binary");
    }

    private static byte[] base64(String where, byte[] text) throws CloudConfigException {
        try {
            // Python's b64decode drops characters outside the alphabet (line breaks); so does the MIME decoder.
            return Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new CloudConfigException.Malformed(where + ".content: not base64");
        }
    }

    private static void checkGzip(String where, byte[] data) throws CloudConfigException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new CloudConfigException.Malformed(where + ".content: not a gzip stream");
        }
    }

    /** util.extract_usergroup: "user", "user:group"; "", "-1" and "none" mean unchanged. Default root:root. */
    private static Optional<String> owner(String where, Object value) throws CloudConfigException {
        String spec = string(where, value).orElse("root:root");
        String[] parts = spec.split(":", 2);
        String user = ownerPart(parts[0]);
        String group = parts.length == 2 ? ownerPart(parts[1]) : "";
        if (user.isEmpty() && group.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(group.isEmpty() ? user : user + ":" + group);
    }

    private static String ownerPart(String part) {
        String p = part.strip();
        return p.equals("-1") || p.equalsIgnoreCase("none") ? "" : p;
    }

    /** cc_write_files.decode_perms: a YAML int as is (unquoted 0644 is already octal), a string as octal. */
    private static int permissions(String where, Object value) throws CloudConfigException {
        int mode;
        if (value == null) {
            mode = 0644;
        } else if (value instanceof Integer i) {
            mode = i;
        } else if (value instanceof String s && OCTAL.matcher(s.strip()).matches()) {
            var m = OCTAL.matcher(s.strip());
            m.matches();
            mode = Integer.parseInt(m.group(1), 8);
        } else {
            // cloud-init would warn and use 0644; a secret file left world-readable is worse.
            throw new CloudConfigException.Malformed(where + ": not an octal mode");
        }
        if (mode < 0 || mode > 07777) {
            throw new CloudConfigException.Malformed(where + ": beyond 07777");
        }
        return mode;
    }

    private static List<GroupSpec> groups(Object value) throws CloudConfigException {
        List<GroupSpec> groups = new ArrayList<>();
        List<?> items = value instanceof String s ? commaList(s) : list("groups", value);
        for (int i = 0; i < items.size(); i++) {
            String where = "groups[" + i + "]";
            Object item = items.get(i);
            if (item instanceof String name) {
                groups.add(new GroupSpec(name.strip(), List.of()));
            } else if (item instanceof Map<?, ?> map && map.size() == 1) {
                Map.Entry<?, ?> e = map.entrySet().iterator().next();
                String name = pythonString(where, e.getKey());
                groups.add(new GroupSpec(name, nameList(where + "." + name, e.getValue())));
            } else {
                throw new CloudConfigException.Malformed(where + ": neither a name nor {name: [members]}");
            }
        }
        return groups;
    }

    private static List<UserSpec> users(Object value) throws CloudConfigException {
        if (value instanceof Map<?, ?>) {
            throw new CloudConfigException.Unsupported("users: a mapping (deprecated form; use a list)");
        }
        List<?> items = value instanceof String s ? commaList(s) : list("users", value);
        List<UserSpec> users = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String where = "users[" + i + "]";
            Object item = items.get(i);
            if ("default".equals(item) || item instanceof Map<?, ?> m && "default".equals(m.get("name"))) {
                throw new CloudConfigException.Unsupported(
                        "users: default — the image's default user needs cloud-init's distro config");
            }
            if (item instanceof String name) {
                users.add(new UserSpec(name.strip(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), false, Optional.empty(), false, true, List.of(), List.of()));
                continue;
            }
            Map<String, Object> u = mapping(where, item, USER_KEYS);
            String name = string(where + ".name", u.get("name"))
                    .orElseThrow(() -> new CloudConfigException.Malformed(where + ".name: missing"));
            Object uid = u.get("uid");
            Object sudo = u.get("sudo");
            List<String> sudoRules = sudo == null || Boolean.FALSE.equals(sudo) ? List.of()
                    : sudo instanceof String rule ? List.of(rule) : stringList(where + ".sudo", sudo);
            Object keys = u.get("ssh_authorized_keys");
            List<String> sshKeys = keys == null ? List.of()
                    : keys instanceof String key ? List.of(key) : stringList(where + ".ssh_authorized_keys", keys);
            users.add(new UserSpec(name, string(where + ".gecos", u.get("gecos")),
                    u.get("groups") == null ? List.of() : nameList(where + ".groups", u.get("groups")),
                    string(where + ".homedir", u.get("homedir")), string(where + ".passwd", u.get("passwd")),
                    string(where + ".primary_group", u.get("primary_group")), string(where + ".shell", u.get("shell")),
                    bool(where + ".system", u.get("system"), false),
                    uid == null ? Optional.empty() : Optional.of(pythonString(where + ".uid", uid)),
                    bool(where + ".no_create_home", u.get("no_create_home"), false),
                    bool(where + ".lock_passwd", u.get("lock_passwd"), true), sudoRules, sshKeys));
        }
        return users;
    }

    private static NtpSpec ntp(Object value) throws CloudConfigException {
        if (value == null) {
            throw new CloudConfigException.Unsupported("ntp: empty (cloud-init would install a client and use"
                    + " the distro's default pools)");
        }
        Map<String, Object> n = mapping("ntp", value, NTP_KEYS);
        boolean enabled = bool("ntp.enabled", n.get("enabled"), true);
        List<String> servers = n.get("servers") == null ? List.of() : stringList("ntp.servers", n.get("servers"));
        List<String> pools = n.get("pools") == null ? List.of() : stringList("ntp.pools", n.get("pools"));
        if (enabled && servers.isEmpty() && pools.isEmpty()) {
            throw new CloudConfigException.Unsupported("ntp: neither servers nor pools (cloud-init would use the"
                    + " distro's default pools)");
        }
        return new NtpSpec(enabled, servers, pools);
    }

    /** A mapping whose keys are all known; an unknown one is refused by its path. */
    private static Map<String, Object> mapping(String where, Object value, Set<String> known)
            throws CloudConfigException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new CloudConfigException.Malformed(where + ": not a mapping");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!known.contains(key)) {
                throw new CloudConfigException.Unsupported(where + "." + key);
            }
            out.put(key, e.getValue());
        }
        return out;
    }

    private static List<?> list(String where, Object value) throws CloudConfigException {
        if (value instanceof List<?> l) {
            return l;
        }
        throw new CloudConfigException.Malformed(where + ": not a list");
    }

    private static List<String> stringList(String where, Object value) throws CloudConfigException {
        List<String> out = new ArrayList<>();
        List<?> items = list(where, value);
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String s)) {
                throw new CloudConfigException.Malformed(where + "[" + i + "]: not a string");
            }
            out.add(s);
        }
        return out;
    }

    /** A list of names or "a, b" (cloud-init strips the spaces). */
    private static List<String> nameList(String where, Object value) throws CloudConfigException {
        if (value instanceof String s) {
            List<String> names = new ArrayList<>();
            for (Object n : commaList(s)) {
                names.add((String) n);
            }
            return names;
        }
        if (value instanceof Map<?, ?>) {
            throw new CloudConfigException.Unsupported(where + ": a mapping (deprecated form; use a list)");
        }
        return stringList(where, value).stream().map(String::strip).toList();
    }

    private static List<Object> commaList(String s) {
        List<Object> names = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                names.add(part.strip());
            }
        }
        return names;
    }

    private static Optional<String> string(String where, Object value) throws CloudConfigException {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String s) {
            return Optional.of(s);
        }
        throw new CloudConfigException.Malformed(where + ": not a string");
    }

    /** util.get_cfg_option_bool: a YAML boolean, or one of Python's true/false words. */
    private static boolean bool(String where, Object value, boolean otherwise) throws CloudConfigException {
        if (value == null) {
            return otherwise;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s) {
            switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "true", "1", "on", "yes" -> {
                    return true;
                }
                case "false", "0", "off", "no" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw new CloudConfigException.Malformed(where + ": not a boolean");
    }

    /** Python's str() of a scalar, as shellify applies it to argv words. */
    private static String pythonString(String where, Object value) throws CloudConfigException {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof Number n) {
            return n.toString();
        }
        throw new CloudConfigException.Malformed(where + ": not a scalar");
    }
}
