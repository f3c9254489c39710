package io.metalboot.cloudconfig;

import io.metalboot.cloudconfig.testing.ChrootRoot;
import io.metalboot.cloudconfig.testing.ProcessRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiled scripts run for real: {@code chroot ROOT /bin/sh /bootstrap.sh} in a root of
 * busybox, the host's real useradd/usermod/groupadd/passwd, and stand-ins for kubeadm and
 * systemctl (ChrootRoot). Needs root; skipped with the reason otherwise, failed under CI=true.
 */
class ChrootBootstrapTest {
    private static final String JOIN = "kubeadm join --config /run/kubeadm/kubeadm-join-config.yaml";
    private static final String PLACEHOLDER = "This placeholder file is used to create the /run/cluster-api sub"
            + " directory in a way that is compatible with both Linux and Windows (mkdir -p /run/cluster-api does not"
            + " work with Windows)";

    @BeforeAll
    static void needsRoot() {
        ChrootRoot.requireHost();
    }

    @Test
    void minimalVector(@TempDir Path dir) throws Exception {
        ChrootRoot root = ChrootRoot.build(dir);
        ProcessRun run = root.runScript(compile(Vectors.MINIMAL, Vectors.MACHINE));
        // runcmd's first line is a quoted command name that does not exist: sh says "not found" (127)
        // and goes on, as cloud-init's runcmd script does; runcmd's status is its last line's (0), so
        // the module and the script succeed.
        assertEquals(0, run.status(), run.describe());
        assertTrue(run.stderr().contains(": hello PreKubeadmCommands!': not found"), run.describe());
        assertFalse(run.stderr().contains("failed (status"), run.describe());
        assertFile(root, "/run/kubeadm/kubeadm-join-config.yaml", "---\nmy-join-config\n", "rw-r-----", 0, 0);
        assertFile(root, "/run/cluster-api/placeholder", PLACEHOLDER, "rw-r-----", 0, 0);
        assertFile(root, "/run/cluster-api/bootstrap-success.complete", "success\n", "rw-r--r--", 0, 0);
        assertEquals(JOIN + "\n", root.read(ChrootRoot.COMMAND_LOG));
        List<String> out = run.stdout().lines().toList();
        int boot = indexOf(out, "hello BootCommands!");
        int post = indexOf(out, ": hello PostKubeadmCommands!");
        assertTrue(boot >= 0 && post > boot, run.describe());
        assertTrue(out.get(boot - 1).matches("\\w{3} \\w{3} .*"), "bootcmd's first line, echo $(date): " + out);
        assertDirectory(root, "/run/cluster-api", "rwxr-xr-x");
    }

    @Test
    void metal3Vector(@TempDir Path dir) throws Exception {
        ChrootRoot root = ChrootRoot.build(dir);
        ProcessRun run = root.runScript(compile(Vectors.METAL3, Vectors.MACHINE));
        assertEquals(0, run.status(), run.describe());
        assertFile(root, "/etc/foo.conf", "bar\n", "rw-r--r--", 0, 0);
        assertFile(root, "/run/kubeadm/kubeadm-join-config.yaml", """
                ---
                apiVersion: kubeadm.k8s.io/v1beta4
                discovery:
                  bootstrapToken:
                    apiServerEndpoint: 192.0.2.10:6443
                    caCertHashes:
                    - sha256:5ed7f5f8e4574d8dd2c13418272599f186ab42448fa3a49325e7e570f48c7ff8
                    token: t6ce1o.wkyg0xd1di0itgau
                kind: JoinConfiguration
                nodeRegistration:
                  kubeletExtraArgs:
                  - name: node-labels
                    value: metal3.io/uuid=6e6b4a1c-1f0a-4a5e-9d3b-2c7f0e8a9b10
                  name: 'worker-0'
                  taints:
                  - effect: NoSchedule
                    key: node.cluster.x-k8s.io/uninitialized
                """, "rw-r-----", 0, 0);
        assertFile(root, "/run/cluster-api/placeholder", PLACEHOLDER, "rw-r-----", 0, 0);
        assertFile(root, "/run/cluster-api/bootstrap-success.complete", "success\n", "rw-r--r--", 0, 0);
        assertEquals(JOIN + "\n", root.read(ChrootRoot.COMMAND_LOG));
        assertFalse(run.stdout().contains("t6ce1o") || run.stderr().contains("t6ce1o"), "the token is never printed");
    }

    @Test
    void allFeaturesVector(@TempDir Path dir) throws Exception {
        ChrootRoot root = ChrootRoot.build(dir);
        root.executable("lib/systemd/systemd-timesyncd", "#!/bin/sh\nexit 0\n");
        ProcessRun run = root.runScript(compile(Vectors.ALL_FEATURES, Vectors.MACHINE));
        assertEquals(0, run.status(), run.describe());
        assertEquals("bootcmd line 1 for " + Vectors.UUID + "\nbootcmd line 2 (argv)\n"
                + "runcmd line 1 on worker-0\nruncmd line 2 (argv)\n",
                root.read("/var/log/metalboot-order.log"));
        // write_files
        assertDirectory(root, "/etc/metalboot", "rwxr-xr-x");
        assertFile(root, "/etc/metalboot/base64.txt", "from base64\n", "rw-------", 0, 0);
        assertFile(root, "/etc/metalboot/gzip.txt", "from gzip\n", "rw-r-----", 0, 4);
        assertFile(root, "/etc/metalboot/gzip-base64.txt", "from gzip+base64\n", "rw-r--r--", 0, 0);
        // owner is per entry: the appending entry names nobody:nogroup again, else root:root (the default) would win
        assertFile(root, "/etc/metalboot/plain.txt", "node worker-0 uuid " + Vectors.UUID + " host worker-0.lab.example\n"
                + "quotes ' \" $HOME `id` \\ $(id) done\nMETALBOOT_EOF\nappended by write_files\n",
                "rw-r--r--", 65534, 65534);
        // users: groupadd ops-admins (gid 1000) before useradd makes ops's own group (1001)
        assertTrue(root.read("/etc/passwd").contains("\nops:x:1000:1001:Operations:/home/ops:/bin/sh\n"),
                root.read("/etc/passwd"));
        String group = root.read("/etc/group");
        assertTrue(group.contains("\nadm:x:4:ops\n") && group.contains("\nops-admins:x:1000:ops\n")
                && group.contains("\nops:x:1001:\n"), group);
        assertTrue(root.read("/etc/shadow").contains("\nops:!"), "locked: " + root.read("/etc/shadow"));
        assertDirectory(root, "/home/ops", "rwxr-xr-x");
        assertDirectory(root, "/home/ops/.ssh", "rwx------");
        assertOwner(root, "/home/ops/.ssh", 1000, 1001);
        assertFile(root, "/home/ops/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmV4s9Bq0b1vXh0Cw0Jm"
                + "BZ7pTfS0Y8W3y9o7T0Wn3Qk ops@example.org\n", "rw-------", 1000, 1001);
        assertFile(root, "/etc/sudoers.d/90-cloud-init-users", "# Created by metalboot-bootstrap (cloud-config users)\n"
                + "\n# User rules for ops\nops ALL=(ALL) NOPASSWD:ALL\n", "r--r-----", 0, 0);
        assertDirectory(root, "/etc/sudoers.d", "rwxr-x---");
        assertTrue(root.read("/etc/sudoers").contains("\n#includedir /etc/sudoers.d\n"), root.read("/etc/sudoers"));
        // ntp: no chronyd, a systemd-timesyncd binary: timesyncd's drop-in, then a restart
        assertFile(root, "/etc/systemd/timesyncd.conf.d/cloud-init.conf", "# metalboot-bootstrap: from cloud-config"
                + " ntp\n[Time]\nNTP=ntp1.example.org ntp2.example.org pool.example.org\n", "rw-r--r--", 0, 0);
        assertTrue(run.stdout().contains("metalboot-bootstrap: ntp: systemd-timesyncd (no /usr/sbin/chronyd;"
                + " systemd-timesyncd exists)"), run.describe());
        assertEquals("systemctl restart systemd-timesyncd\n", root.read(ChrootRoot.COMMAND_LOG));
        // deferred: written once users had run, owned by the new user
        assertDirectory(root, "/home/ops/.config", "rwxr-xr-x");
        assertFile(root, "/home/ops/.config/ops.conf", "owned by ops, written after users ran\n", "rw-r-----",
                1000, 1001);
        assertFalse(run.stdout().contains("from base64") || run.stdout().contains("$HOME"), "no contents printed");
    }

    @Test
    void aFailedModuleIsReportedAndTheNextStillRuns(@TempDir Path dir) throws Exception {
        ChrootRoot root = ChrootRoot.build(dir);
        // No time client in this root: ntp fails, runcmd still runs, the script's status says so.
        ProcessRun run = root.runScript(CloudConfigCompiler.compile(("#cloud-config\nntp: {servers: [a.example]}\n"
                + "write_files:\n- {path: /x, owner: nosuchuser}\nruncmd: [\"echo ran > /ran\", \"exit 3\"]\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), Vectors.MACHINE).script());
        assertEquals(1, run.status(), run.describe());
        assertTrue(run.stderr().contains("metalboot-bootstrap: write_files failed (status 1)"), run.describe());
        assertTrue(run.stderr().contains("metalboot-bootstrap: ntp: no time client"), run.describe());
        assertTrue(run.stderr().contains("metalboot-bootstrap: ntp failed (status 1)"), run.describe());
        assertTrue(run.stderr().contains("metalboot-bootstrap: runcmd failed (status 3)"), run.describe());
        assertEquals("ran\n", root.read("/ran"));
    }

    private static String compile(String vector, InstanceData data) throws CloudConfigException {
        return CloudConfigCompiler.compile(Vectors.bytes(vector), data).script();
    }

    private static void assertFile(ChrootRoot root, String path, String content, String mode, int uid, int gid)
            throws Exception {
        Path p = root.resolve(path);
        assertTrue(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS), path);
        assertEquals(content, Files.readString(p), path);
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), path);
        assertOwner(root, path, uid, gid);
    }

    private static void assertOwner(ChrootRoot root, String path, int uid, int gid) throws Exception {
        Map<String, Object> ids = Files.readAttributes(root.resolve(path), "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        assertEquals(uid, ids.get("uid"), path + " uid");
        assertEquals(gid, ids.get("gid"), path + " gid");
    }

    private static void assertDirectory(ChrootRoot root, String path, String mode) throws Exception {
        Path p = root.resolve(path);
        assertTrue(Files.isDirectory(p), path);
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), path);
    }

    private static int indexOf(List<String> lines, String suffix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).endsWith(suffix)) {
                return i;
            }
        }
        return -1;
    }
}
