package io.metalboot.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * OpenStack's ironic-python-agent run from its public source on Debian's python3 packages, as a
 * process in a lab namespace: {@code bench/ironic-deploy/run-ipa-from-source.sh} with a config
 * file written here (its hardware manager sees only {@code device} and {@code iface}; its launcher
 * turns power-off into the process's exit). The script execs python, and {@code ip netns exec}
 * execs the script, so {@link #pid()} is, once it runs, the python process's.
 */
final class SourceIpa implements AutoCloseable {
    private final ChildProcess process;

    private SourceIpa(ChildProcess process) {
        this.process = process;
    }

    /** The script beside the bench: {@code metalboot.bench.ipa-script}, else {@code bench/ironic-deploy/run-ipa-from-source.sh} of the repository. */
    static Path script() {
        String configured = System.getProperty("metalboot.bench.ipa-script");
        Path script = configured != null ? Path.of(configured)
                : BootMedia.labHome().getParent().resolve("bench/ironic-deploy/run-ipa-from-source.sh");
        if (!Files.isRegularFile(script)) {
            throw new LabException("no " + script + " (metalboot.bench.ipa-script)");
        }
        return script;
    }

    /**
     * Writes {@code DIR/LABEL.conf} and starts IPA in {@code namespace}; returns at once (IPA serves
     * nothing before its lookup succeeds).
     */
    static SourceIpa start(Namespace namespace, Path dir, String label, String apiUrl, String address, String device,
                           String iface, int lookupInterval, int lookupTimeout) {
        Path conf = dir.resolve(label + ".conf");
        String text = """
                # written by the lab's SourceIpa
                [DEFAULT]
                api_url = %1$s
                listen_host = %2$s
                listen_port = 9999
                advertise_host = %2$s
                advertise_port = 9999
                lookup_interval = %3$d
                lookup_timeout = %4$d
                debug = false
                use_stderr = true
                [metalboot]
                only_block_device = %5$s
                only_interfaces = %6$s
                """.formatted(apiUrl, address, lookupInterval, lookupTimeout, device, iface);
        // IPA caches a non-raw image in tempfile.gettempdir() under the URL's last segment (for a
        // signed URL: its query, signature included) and never deletes it: keep that in the work directory
        Path tmp = dir.resolve(label + ".tmp");
        try {
            Files.createDirectories(tmp);
            Files.writeString(conf, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write " + conf, e);
        }
        return new SourceIpa(ChildProcess.start(label, namespace.exec(List.of("/usr/bin/env", "TMPDIR=" + tmp, "/bin/bash", script().toString(),
                "--config-file", conf.toString())), dir.resolve(label + ".log")));
    }

    Journal<String> console() {
        return process.lines();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
    }
}
