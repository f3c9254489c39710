package io.metalboot.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The host programs the lab drives, found by absolute path (sbin is often missing from PATH). */
enum Tool {
    IP("ip"),
    QEMU("qemu-system-x86_64"),
    DNSMASQ("dnsmasq"),
    TCPDUMP("tcpdump"),
    CURL("curl"),
    /** The agent scenarios' switch (LldpSwitch): not needed by the others. */
    LLDPD("lldpd"),
    LLDPCLI("lldpcli"),
    /** The agent scenarios' BMCs (IpmiSimBmc): not needed by the others. */
    IPMI_SIM("ipmi_sim"),
    /** The deploy scenarios' catalog images (DeployImage) and their checks: not needed by the others. */
    QEMU_IMG("qemu-img"),
    ZSTD("zstd"),
    SFDISK("sfdisk");

    private final String program;

    Tool(String program) {
        this.program = program;
    }

    String program() {
        return program;
    }

    Optional<Path> find() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream()
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The absolute path; only call after {@link Prerequisites} said the tool is there. */
    String path() {
        return find().map(Path::toString).orElseThrow(() -> new LabException(program + " is not installed"));
    }
}
