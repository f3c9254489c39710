package io.metalboot.cloudconfig;

import io.metalboot.cloudconfig.testing.ProcessRun;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudConfigCompilerTest {
    private static final String TOKEN = "abcdef.0123456789abcdef";

    @Test
    void everyOtherTopLevelKeyIsUnsupportedByName() {
        for (String key : List.of("disk_setup", "fs_setup", "mounts", "packages", "hostname", "write_files_deferred")) {
            assertUnsupported("#cloud-config\n" + key + ": {}\n", key);
        }
    }

    @Test
    void unsupportedPartsNameTheirPath() {
        assertUnsupported("#cloud-config\nwrite_files:\n- {path: /a}\n- {path: /b}\n- {path: /c, encoding: base32}\n",
                "write_files[2].encoding: 'base32'");
        assertUnsupported("#cloud-config\nwrite_files:\n- {path: /a, source: {uri: 'http://x'}}\n",
                "write_files[0].source");
        assertUnsupported("#cloud-config\nusers: [default]\n",
                "users: default — the image's default user needs cloud-init's distro config");
        assertUnsupported("#cloud-config\nusers:\n- name: default\n", "users: default");
        assertUnsupported("#cloud-config\nusers:\n- {name: a, plain_text_passwd: x}\n", "users[0].plain_text_passwd");
        assertUnsupported("#cloud-config\nusers:\n- {name: a, groups: {g: [a]}}\n", "users[0].groups");
        assertUnsupported("#cloud-config\nusers: {a: {}}\n", "users: a mapping");
        assertUnsupported("#cloud-config\nntp: {ntp_client: chrony, servers: [a]}\n", "ntp.ntp_client");
        assertUnsupported("#cloud-config\nntp:\n", "ntp: empty");
        assertUnsupported("#cloud-config\nntp: {enabled: true}\n", "ntp: neither servers nor pools");
        assertUnsupported("#!/bin/sh\necho hi\n", "user data type: #!");
        assertUnsupported("Content-Type: multipart/mixed\n", "Content-Type:");
        assertUnsupported("#cloud-config-archive\n- x\n", "#cloud-config-archive");
        assertUnsupported("#cloud-config\nbootcmd: [echo]\n", "INSTANCE_ID", new InstanceData(java.util.Map.of()));
        var gz = assertThrows(CloudConfigException.Unsupported.class,
                () -> CloudConfigCompiler.compile(new byte[] {0x1f, (byte) 0x8b, 8, 0}, Vectors.MACHINE));
        assertTrue(gz.getMessage().contains("gzip"), gz.getMessage());
    }

    @Test
    void malformedYamlSaysWhereButNotWhat() {
        var e = assertThrows(CloudConfigException.Malformed.class,
                () -> compile("#cloud-config\nwrite_files:\n- path: /a\n  content: \"" + TOKEN + "\n"));
        assertTrue(e.getMessage().startsWith("YAML: "), e.getMessage());
        assertTrue(e.getMessage().contains("line"), e.getMessage());
        assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
    }

    @Test
    void notACloudConfig() {
        assertMalformed("write_files: []\n", "#cloud-config");
        assertMalformed("#cloud-config\n- a\n- b\n", "not a mapping");
        assertMalformed("#cloud-config\nruncmd: [a]\nruncmd: [b]\n", "YAML");
        assertMalformed("#cloud-config\nruncmd:\n", "runcmd: not a list");
        assertMalformed("#cloud-config\nwrite_files:\n- content: x\n", "write_files[0].path: missing");
        assertMalformed("#cloud-config\nwrite_files:\n- {path: a/b}\n", "not absolute");
        assertMalformed("#cloud-config\nwrite_files:\n- {path: /a, permissions: rw}\n", "write_files[0].permissions");
        assertMalformed("#cloud-config\nwrite_files:\n- {path: /a, encoding: gzip, content: plain}\n", "gzip");
        assertMalformed("#cloud-config\nwrite_files:\n- {path: /a, append: maybe}\n", "write_files[0].append");
        assertThrows(CloudConfigException.Malformed.class,
                () -> CloudConfigCompiler.compile(new byte[] {'#', (byte) 0xff}, Vectors.MACHINE));
    }

    @Test
    void anEmptyCloudConfigDoesNothingAndSucceeds() throws Exception {
        CompiledBootstrap b = compile("#cloud-config\n");
        assertTrue(b.script().startsWith("#!/bin/sh\n"));
        assertTrue(b.script().endsWith("exit \"$metalboot_status\"\n"));
    }

    @Test
    void permissionsAsYaml11ReadsThem() throws Exception {
        // Unquoted 0644 is an octal int in YAML 1.1; a quoted one is parsed as octal as cloud-init does.
        String script = compile("#cloud-config\nwrite_files:\n- {path: /a, permissions: 0750}\n"
                + "- {path: /b, permissions: '0o600'}\n- {path: /c}\n- {path: /d, permissions: 420}\n").script();
        assertTrue(script.contains("chmod 0750 '/a'"), script);
        assertTrue(script.contains("chmod 0600 '/b'"), script);
        assertTrue(script.contains("chmod 0644 '/c'"), script);
        assertTrue(script.contains("chmod 0644 '/d'"), script);
        assertTrue(script.contains("chown 'root:root' '/c'"), script);
    }

    @Test
    void modulesRunInCloudInitsOrder() throws Exception {
        String script = CloudConfigCompiler.compile(Vectors.bytes(Vectors.ALL_FEATURES), Vectors.MACHINE).script();
        int at = -1;
        for (String module : List.of("bootcmd", "write_files", "users", "ntp", "write_files_deferred", "runcmd")) {
            int next = script.indexOf("echo 'metalboot-bootstrap: " + module + "'\n(\n");
            assertTrue(next > at, module + " out of order");
            assertTrue(script.contains("metalboot_done " + module + " $?"), module);
            at = next;
        }
        assertTrue(script.startsWith("#!/bin/sh\n# "), script);
        assertTrue(script.contains("\numask 022\n"));
        assertTrue(script.contains("\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nexport PATH\n"));
    }

    @Test
    void argvWordsAreSingleQuotedAndStringsKeptAsWritten() throws Exception {
        String script = compile("#cloud-config\nruncmd:\n- [printf, '%s|', \"it's $HOME `x`\", 7, true]\n"
                + "- echo \"$HOME\"\n").script();
        String runcmd = "#!/bin/sh\n'printf' '%s|' 'it'\\''s $HOME `x`' '7' 'True'\necho \"$HOME\"\n";
        assertTrue(script.contains("cat > /run/metalboot-bootstrap/runcmd <<'METALBOOT_EOF'\n" + runcmd
                + "METALBOOT_EOF\n"), script);
    }

    @Test
    void contentSurvivesQuotingUnderDashAndBusybox(@TempDir Path dir) throws Exception {
        List<byte[]> contents = List.of(
                "it's $HOME and `id` and $(id) \\ \"q\"\nMETALBOOT_EOF\nMETALBOOT_EOF_1\n'\n".getBytes(StandardCharsets.UTF_8),
                "no final newline $x".getBytes(StandardCharsets.UTF_8),
                new byte[] {0, 1, 2, (byte) 0xff, '\n'},
                "crlf\r\nline\r\n".getBytes(StandardCharsets.UTF_8),
                new byte[0]);
        StringBuilder yaml = new StringBuilder("#cloud-config\nwrite_files:\n");
        for (int i = 0; i < contents.size(); i++) {
            yaml.append("- path: ").append(dir.resolve("sub dir/f'" + i)).append("\n  owner: '-1'\n  encoding: b64\n")
                    .append("  content: ").append(Base64.getEncoder().encodeToString(contents.get(i))).append('\n');
        }
        String script = compile(yaml.toString()).script();
        assertTrue(script.contains("<<'METALBOOT_EOF_2'"), "a delimiter absent from the content");
        Path file = dir.resolve("bootstrap.sh");
        Files.writeString(file, script);
        List<List<String>> shells = new ArrayList<>(List.of(List.of("/bin/sh")));
        if (Files.isExecutable(Path.of("/bin/busybox"))) {
            shells.add(List.of("/bin/busybox", "sh"));
        }
        for (List<String> shell : shells) {
            List<String> cmd = new ArrayList<>(shell);
            cmd.add(file.toString());
            ProcessRun run = ProcessRun.run(dir, cmd);
            assertEquals(0, run.status(), shell + ": " + run.describe());
            for (int i = 0; i < contents.size(); i++) {
                assertArrayEquals(contents.get(i), Files.readAllBytes(dir.resolve("sub dir/f'" + i)), shell + " file " + i);
            }
            assertFalse(run.stdout().contains("$HOME") || run.stderr().contains("$HOME"), "contents are never printed");
        }
    }

    @Test
    void everyVectorsScriptParsesUnderDash(@TempDir Path dir) throws Exception {
        for (String vector : List.of(Vectors.MINIMAL, Vectors.METAL3, Vectors.ALL_FEATURES)) {
            Path file = dir.resolve("script.sh");
            Files.writeString(file, CloudConfigCompiler.compile(Vectors.bytes(vector), Vectors.MACHINE).script());
            ProcessRun check = ProcessRun.run(dir, List.of("/bin/sh", "-n", file.toString()));
            assertEquals(0, check.status(), vector + ": " + check.describe());
        }
    }

    @Test
    void toStringTellsSizesNotContents() throws Exception {
        CompiledBootstrap b = compile("#cloud-config\nruncmd: [\"kubeadm join --token " + TOKEN + "\"]\n");
        assertFalse(b.toString().contains(TOKEN), b.toString());
        assertTrue(b.toString().matches("CompiledBootstrap\\[renderedCloudConfig=\\d+ bytes, script=\\d+ bytes]"),
                b.toString());
    }

    @Test
    void usersGroupsAsCommaStringsAndUsersAsNames() throws Exception {
        String script = compile("#cloud-config\ngroups: 'g1, g2'\nusers:\n- bob\n- {name: amy, groups: 'adm, g1',"
                + " lock_passwd: false, sudo: [\"ALL=(ALL) ALL\", \"ALL=(root) NOPASSWD: /bin/true\"], uid: 1500}\n")
                .script();
        assertTrue(script.contains("    groupadd 'g1'\n"), script);
        assertTrue(script.contains("useradd 'bob' -m\n"), script);
        assertTrue(script.contains("useradd 'amy' --groups 'adm,g1' --uid '1500' -m\n"), script);
        assertTrue(script.contains("passwd -l 'bob'"), script);
        assertFalse(script.contains("passwd -l 'amy'"), script);
        assertTrue(script.contains("\n# User rules for amy\namy ALL=(ALL) ALL\namy ALL=(root) NOPASSWD: /bin/true\n"),
                script);
    }

    private static CompiledBootstrap compile(String userData) throws CloudConfigException {
        return CloudConfigCompiler.compile(userData.getBytes(StandardCharsets.UTF_8), Vectors.MACHINE);
    }

    private static void assertUnsupported(String userData, String named) {
        assertUnsupported(userData, named, Vectors.MACHINE);
    }

    private static void assertUnsupported(String userData, String named, InstanceData data) {
        var e = assertThrows(CloudConfigException.Unsupported.class,
                () -> CloudConfigCompiler.compile(userData.getBytes(StandardCharsets.UTF_8), data), named);
        assertTrue(e.getMessage().contains(named), e.getMessage() + " should name " + named);
    }

    private static void assertMalformed(String userData, String named) {
        var e = assertThrows(CloudConfigException.Malformed.class, () -> compile(userData), named);
        assertTrue(e.getMessage().contains(named), e.getMessage() + " should name " + named);
    }
}
