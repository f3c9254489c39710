package io.metalboot.cloudconfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sh script for one {@link CloudConfig}: its modules in cloud-init's order (bootcmd,
 * write_files, users, ntp, deferred write_files, runcmd), each in a subshell with {@code set -e} so
 * that its first failing step ends it, as an exception ends a cloud-init module. A failed module
 * does not stop the next (cloud-init carries on too); it prints
 * {@code metalboot-bootstrap: MODULE failed (status N)} and the script exits 1 at the end.
 * The script prints module names, paths, users and its choices, never file contents.
 */
final class BootstrapScript {
    /** Where bootcmd and runcmd scripts are written (cloud-init: a temp file, /var/lib/cloud/instance/scripts). */
    static final String WORK_DIR = "/run/metalboot-bootstrap";
    static final String SUDOERS_FILE = "/etc/sudoers.d/90-cloud-init-users";
    static final String TIMESYNCD_DROP_IN = "/etc/systemd/timesyncd.conf.d/cloud-init.conf";
    static final String CHRONY_SOURCES = "/etc/chrony/sources.d/cloud-init.sources";
    static final String CHRONY_CONF_D = "/etc/chrony/conf.d/cloud-init.conf";

    private final ShellScript sh = new ShellScript();

    private BootstrapScript() {
    }

    static String render(CloudConfig config, InstanceData instance) throws CloudConfigException {
        BootstrapScript s = new BootstrapScript();
        s.preamble(!config.users().isEmpty() || !config.groups().isEmpty());
        if (config.bootcmd().isPresent()) {
            String id = instance.instanceId().orElseThrow(() -> new CloudConfigException.Unsupported(
                    "bootcmd: INSTANCE_ID needs the meta data's uuid"));
            s.commands("bootcmd", config.bootcmd().get(), Optional.of(id));
        }
        List<WriteFile> now = config.writeFiles().stream().filter(f -> !f.deferred()).toList();
        List<WriteFile> deferred = config.writeFiles().stream().filter(WriteFile::deferred).toList();
        if (!now.isEmpty()) {
            s.writeFiles("write_files", now);
        }
        if (!config.groups().isEmpty() || !config.users().isEmpty()) {
            s.usersAndGroups(config.groups(), config.users());
        }
        config.ntp().ifPresent(s::ntp);
        if (!deferred.isEmpty()) {
            s.writeFiles("write_files_deferred", deferred);
        }
        config.runcmd().ifPresent(r -> s.commands("runcmd", r, Optional.empty()));
        s.sh.line("exit \"$metalboot_status\"");
        return s.sh.text();
    }

    private void preamble(boolean accounts) {
        sh.line("#!/bin/sh")
                .line("# metalboot-bootstrap: cloud-config compiled to sh for a node without cloud-init.")
                .line("# Modules in cloud-init's order; a failed one does not stop the next, the exit status says.")
                .line("umask 022")
                .line("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .line("export PATH")
                .line("cd /")
                .line("metalboot_status=0")
                .line("metalboot_done() {")
                .line("    if [ \"$2\" -ne 0 ]; then")
                .line("        echo \"metalboot-bootstrap: $1 failed (status $2)\" >&2")
                .line("        metalboot_status=1")
                .line("    fi")
                .line("}");
        if (accounts) {
            sh.line("# The passwd or group entry of a name: getent where there is one (NSS), else the file.")
                    .line("metalboot_entry() {")
                    .line("    if command -v getent >/dev/null 2>&1; then")
                    .line("        getent \"$1\" \"$2\"")
                    .line("        return")
                    .line("    fi")
                    .line("    while IFS= read -r metalboot_line; do")
                    .line("        case $metalboot_line in \"$2\":*) printf '%s\\n' \"$metalboot_line\"; return 0;; esac")
                    .line("    done < \"/etc/$1\"")
                    .line("    return 2")
                    .line("}");
        }
    }

    private void begin(String module) {
        sh.line("").line("echo 'metalboot-bootstrap: " + module + "'").line("(").line("set -e");
    }

    private void end(String module) {
        sh.line(")").line("metalboot_done " + module + " $?");
    }

    /** The command list as its own script, run by /bin/sh as cloud-init does; its status is the module's. */
    private void commands(String module, CommandScript commands, Optional<String> instanceId) {
        String file = WORK_DIR + "/" + module;
        begin(module);
        sh.line("mkdir -p " + WORK_DIR).line("chmod 0700 " + WORK_DIR)
                .line("umask 077")
                .feed(commands.text().getBytes(StandardCharsets.UTF_8), "cat > " + file)
                .line("umask 022");
        String env = instanceId.map(id -> "INSTANCE_ID=" + ShellScript.quote(id) + " ").orElse("");
        sh.line(env + "/bin/sh " + file + " </dev/null");
        end(module);
    }

    /**
     * cc_write_files: parent directories made with mode 0755 (umask 022), the file written under
     * umask 077 so it is never readable by others before its mode is set, then chown and chmod
     * (chown first: a chown after chmod would clear set-id bits).
     */
    private void writeFiles(String module, List<WriteFile> files) {
        begin(module);
        for (WriteFile f : files) {
            String path = ShellScript.quote(f.path());
            String parent = f.path().substring(0, Math.max(1, f.path().lastIndexOf('/')));
            sh.line("echo " + ShellScript.quote("metalboot-bootstrap: " + module + ": " + f.path()
                    + (f.append() ? " (append)" : "")));
            sh.line("mkdir -p " + ShellScript.quote(parent)).line("umask 077");
            String redirect = (f.append() ? " >> " : " > ") + path;
            if (f.data().length == 0) {
                sh.line(": " + redirect.strip());
            } else {
                sh.feed(f.data(), (f.gzipped() ? "gzip -dc" : "cat") + redirect);
            }
            sh.line("umask 022");
            f.owner().ifPresent(owner -> sh.line("chown " + ShellScript.quote(owner) + " " + path));
            sh.line("chmod " + String.format("%04o", f.mode()) + " " + path);
        }
        end(module);
    }

    /** cc_users_groups: the groups, then each user as distros.create_user does it. */
    private void usersAndGroups(List<GroupSpec> groups, List<UserSpec> users) {
        begin("users");
        for (GroupSpec g : groups) {
            String name = ShellScript.quote(g.name());
            sh.line("if metalboot_entry group " + name + " >/dev/null; then")
                    .line("    echo " + ShellScript.quote("metalboot-bootstrap: users: group " + g.name()
                            + " exists"))
                    .line("else")
                    .line("    groupadd " + name)
                    .line("fi");
            for (String member : g.members()) {
                sh.line("usermod -a -G " + name + " " + ShellScript.quote(member));
            }
        }
        for (UserSpec u : users) {
            user(u);
        }
        end("users");
    }

    private void user(UserSpec u) {
        String name = ShellScript.quote(u.name());
        sh.line("if metalboot_entry passwd " + name + " >/dev/null; then")
                .line("    echo " + ShellScript.quote("metalboot-bootstrap: users: " + u.name()
                        + " exists, not created (cloud-init leaves an existing user's options alone)"))
                .line("else");
        List<String> wanted = new ArrayList<>(u.groups());
        u.primaryGroup().ifPresent(wanted::add);
        for (String group : wanted) {
            String g = ShellScript.quote(group);
            // cloud-init logs a failed groupadd and goes on; useradd then says what is missing.
            sh.line("    metalboot_entry group " + g + " >/dev/null || groupadd " + g
                    + " || echo " + ShellScript.quote("metalboot-bootstrap: users: groupadd " + group + " failed") + " >&2");
        }
        sh.line("    echo " + ShellScript.quote("metalboot-bootstrap: users: creating " + u.name()));
        sh.line("    " + String.join(" ", useradd(u)));
        sh.line("fi");
        if (u.lockPasswd()) {
            // distros.lock_passwd: passwd -l where there is passwd, else usermod --lock.
            sh.line("if command -v passwd >/dev/null 2>&1; then passwd -l " + name + " >/dev/null; else usermod --lock "
                    + name + "; fi");
        }
        if (!u.sudoRules().isEmpty()) {
            sudo(u);
        }
        if (!u.sshAuthorizedKeys().isEmpty()) {
            authorizedKeys(u);
        }
    }

    /** useradd's options in cloud-init's order (sorted by cloud-config key), then -m or -M. */
    private static List<String> useradd(UserSpec u) {
        List<String> cmd = new ArrayList<>(List.of("useradd", ShellScript.quote(u.name())));
        option(cmd, "--comment", u.gecos());
        option(cmd, "--groups", u.groups().isEmpty() ? Optional.empty() : Optional.of(String.join(",", u.groups())));
        option(cmd, "--home", u.homedir());
        option(cmd, "--password", u.hashedPasswd());
        option(cmd, "--gid", u.primaryGroup());
        option(cmd, "--shell", u.shell());
        if (u.system()) {
            cmd.add("--system");
        }
        option(cmd, "--uid", u.uid());
        cmd.add(u.noCreateHome() || u.system() ? "-M" : "-m");
        return cmd;
    }

    private static void option(List<String> cmd, String flag, Optional<String> value) {
        value.filter(v -> !v.isEmpty()).ifPresent(v -> {
            cmd.add(flag);
            cmd.add(ShellScript.quote(v));
        });
    }

    /** distros.write_sudo_rules: /etc/sudoers includes /etc/sudoers.d, the rules appended to cloud-init's file. */
    private void sudo(UserSpec u) {
        sh.line("if [ -f /etc/sudoers ] && grep -Eq '^[#@]includedir[[:space:]]+/etc/sudoers\\.d/?[[:space:]]*$' /etc/sudoers; then")
                .line("    :")
                .line("else")
                .line("    [ -f /etc/sudoers ] || { : > /etc/sudoers; chmod 0440 /etc/sudoers; }")
                .line("    printf '\\n# Added by metalboot-bootstrap\\n#includedir /etc/sudoers.d\\n' >> /etc/sudoers")
                .line("fi")
                .line("mkdir -p /etc/sudoers.d")
                .line("chmod 0750 /etc/sudoers.d")
                .line("umask 077")
                .line("[ -e " + SUDOERS_FILE + " ] || echo '# Created by metalboot-bootstrap (cloud-config users)' > "
                        + SUDOERS_FILE);
        StringBuilder rules = new StringBuilder("\n# User rules for " + u.name() + "\n");
        u.sudoRules().forEach(r -> rules.append(u.name()).append(' ').append(r).append('\n'));
        sh.feed(rules.toString().getBytes(StandardCharsets.UTF_8), "cat >> " + SUDOERS_FILE)
                .line("umask 022")
                .line("chmod 0440 " + SUDOERS_FILE);
    }

    /** ssh_util.setup_user_keys: ~/.ssh 0700 and authorized_keys 0600, both the user's; keys not yet there appended. */
    private void authorizedKeys(UserSpec u) {
        String name = ShellScript.quote(u.name());
        sh.line("metalboot_pw=$(metalboot_entry passwd " + name + ")")
                .line("metalboot_ids=$(printf '%s\\n' \"$metalboot_pw\" | cut -d: -f3,4)")
                .line("metalboot_home=$(printf '%s\\n' \"$metalboot_pw\" | cut -d: -f6)")
                .line("[ -n \"$metalboot_home\" ] || { echo " + ShellScript.quote("metalboot-bootstrap: users: "
                        + u.name() + " has no home directory for its ssh keys") + " >&2; exit 1; }")
                .line("mkdir -p \"$metalboot_home/.ssh\"")
                .line("chown \"$metalboot_ids\" \"$metalboot_home/.ssh\"")
                .line("chmod 0700 \"$metalboot_home/.ssh\"")
                .line("umask 077")
                .line("touch \"$metalboot_home/.ssh/authorized_keys\"");
        for (String key : u.sshAuthorizedKeys()) {
            String k = ShellScript.quote(key);
            sh.line("grep -qxF -e " + k + " \"$metalboot_home/.ssh/authorized_keys\" || printf '%s\\n' " + k
                    + " >> \"$metalboot_home/.ssh/authorized_keys\"");
        }
        sh.line("umask 022")
                .line("chown \"$metalboot_ids\" \"$metalboot_home/.ssh/authorized_keys\"")
                .line("chmod 0600 \"$metalboot_home/.ssh/authorized_keys\"");
    }

    /**
     * cc_ntp, decided on the node: chrony when /usr/sbin/chronyd exists (a drop-in where Debian's
     * chrony.conf reads sources or config from), else systemd-timesyncd when its binary exists
     * (a timesyncd.conf.d drop-in), else the module fails. Then the service is restarted when
     * systemd runs.
     */
    private void ntp(NtpSpec ntp) {
        if (!ntp.enabled()) {
            sh.line("").line("echo 'metalboot-bootstrap: ntp: enabled: false, nothing to do'");
            return;
        }
        StringBuilder chrony = new StringBuilder("# metalboot-bootstrap: from cloud-config ntp\n");
        ntp.pools().forEach(p -> chrony.append("pool ").append(p).append(" iburst\n"));
        ntp.servers().forEach(s -> chrony.append("server ").append(s).append(" iburst\n"));
        List<String> hosts = new ArrayList<>(ntp.servers());
        hosts.addAll(ntp.pools());
        String timesyncd = "# metalboot-bootstrap: from cloud-config ntp\n[Time]\nNTP=" + String.join(" ", hosts) + "\n";
        begin("ntp");
        sh.line("if [ -e /usr/sbin/chronyd ]; then")
                .line("    metalboot_service=chrony")
                .line("    if grep -Eq '^[[:space:]]*sourcedir[[:space:]]+/etc/chrony/sources\\.d/?[[:space:]]*$' /etc/chrony/chrony.conf 2>/dev/null; then")
                .line("        metalboot_dropin=" + CHRONY_SOURCES)
                .line("        echo 'metalboot-bootstrap: ntp: chrony (/usr/sbin/chronyd exists; chrony.conf reads sourcedir /etc/chrony/sources.d)'")
                .line("    elif grep -Eq '^[[:space:]]*confdir[[:space:]]+/etc/chrony/conf\\.d/?[[:space:]]*$' /etc/chrony/chrony.conf 2>/dev/null; then")
                .line("        metalboot_dropin=" + CHRONY_CONF_D)
                .line("        echo 'metalboot-bootstrap: ntp: chrony (/usr/sbin/chronyd exists; chrony.conf reads confdir /etc/chrony/conf.d)'")
                .line("    else")
                .line("        echo 'metalboot-bootstrap: ntp: chrony is installed but /etc/chrony/chrony.conf has neither sourcedir /etc/chrony/sources.d nor confdir /etc/chrony/conf.d (Debian layout)' >&2")
                .line("        exit 1")
                .line("    fi")
                .line("    mkdir -p \"${metalboot_dropin%/*}\"")
                .feed(chrony.toString().getBytes(StandardCharsets.UTF_8), "    cat > \"$metalboot_dropin\"")
                .line("elif [ -e /lib/systemd/systemd-timesyncd ] || [ -e /usr/lib/systemd/systemd-timesyncd ]; then")
                .line("    metalboot_service=systemd-timesyncd")
                .line("    metalboot_dropin=" + TIMESYNCD_DROP_IN)
                .line("    echo 'metalboot-bootstrap: ntp: systemd-timesyncd (no /usr/sbin/chronyd; systemd-timesyncd exists)'")
                .line("    mkdir -p /etc/systemd/timesyncd.conf.d")
                .feed(timesyncd.getBytes(StandardCharsets.UTF_8), "    cat > \"$metalboot_dropin\"")
                .line("else")
                .line("    echo 'metalboot-bootstrap: ntp: no time client: neither /usr/sbin/chronyd (chrony) nor /lib/systemd/systemd-timesyncd or /usr/lib/systemd/systemd-timesyncd' >&2")
                .line("    exit 1")
                .line("fi")
                .line("chmod 0644 \"$metalboot_dropin\"")
                .line("if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then")
                .line("    systemctl restart \"$metalboot_service\"")
                .line("else")
                .line("    echo \"metalboot-bootstrap: ntp: systemd is not running: $metalboot_service reads $metalboot_dropin when it starts\"")
                .line("fi");
        end("ntp");
    }
}
