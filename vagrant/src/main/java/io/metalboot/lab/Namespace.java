package io.metalboot.lab;

import java.util.ArrayList;
import java.util.List;

/** A network namespace the lab created itself; everything the lab sends stays inside these. */
record Namespace(String name) {

    static Namespace create(String name) {
        Command.run(List.of(Tool.IP.path(), "netns", "add", name));
        var namespace = new Namespace(name);
        namespace.ip("link", "set", "lo", "up");
        return namespace;
    }

    /** Runs {@code ip -n NAME ARGS...}. */
    String ip(String... args) {
        var argv = new ArrayList<>(List.of(Tool.IP.path(), "-n", name));
        argv.addAll(List.of(args));
        return Command.run(argv);
    }

    /** The argv that runs {@code argv} inside this namespace ({@code ip netns exec} execs, so the PID is the program's). */
    List<String> exec(List<String> argv) {
        var wrapped = new ArrayList<>(List.of(Tool.IP.path(), "netns", "exec", name));
        wrapped.addAll(argv);
        return wrapped;
    }

    /** Kills whatever still runs inside (only processes in this namespace), then deletes it. */
    void delete() {
        try {
            String pids = Command.run(List.of(Tool.IP.path(), "netns", "pids", name)).strip();
            for (String pid : pids.split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (LabException e) {
            // the namespace may already be gone; deleting it below says so if it matters
        }
        Command.run(List.of(Tool.IP.path(), "netns", "delete", name));
    }
}
