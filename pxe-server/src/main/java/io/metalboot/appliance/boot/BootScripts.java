package io.metalboot.appliance.boot;

import io.metalboot.appliance.evidence.BootEvidence;
import io.metalboot.appliance.evidence.EvidenceCheck;
import io.metalboot.appliance.evidence.RefusalReason;
import io.metalboot.appliance.registry.AgentBoot;
import io.metalboot.appliance.registry.BootAdmission;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The iPXE scripts machines run: the entry script the ProxyDHCP hands out, and each machine's own
 * script, chosen by what the registry knows of it: the agent ramdisk while it is discovered,
 * inspecting or provisioning; its local disk once provisioned, so it never loops back.
 *
 * <p>The agent script carries a boot token, so it goes only to a request with boot evidence
 * ({@link BootEvidence}); a request without it gets {@link #giveUp}, no token and no record. A
 * local-disk script carries no secret: it needs no evidence.
 */
public final class BootScripts {
    private static final String GIVE_UP = "#!ipxe\necho metalboot: %s\nexit 1\n";

    private final MachineRegistry registry;
    private final BootEvidence evidence;
    private final BootEndpoint endpoint;
    /** Swapped whole by {@link #reload}; a request reads it once, so it never sees half of a reload. */
    private volatile Served served;

    /** What requests are served from: the settings and the templates loaded for them. */
    private record Served(BootSettings settings, Templates templates) {
    }

    /** The four scripts, loaded together: one that fails to load fails them all. */
    private record Templates(IpxeTemplate entry, IpxeTemplate agent, IpxeTemplate local, IpxeTemplate ignored) {
        static Templates load(Optional<Path> overrides) throws IOException {
            return new Templates(IpxeTemplate.load("entry.ipxe", overrides, Set.of("base-url", "attempts")),
                    IpxeTemplate.load("agent.ipxe", overrides, Set.of("base-url", "attempts", "mac", "uuid", "serial",
                            "state", "profile", "kernel", "initrd", "initrd-name", "args", "token", "bootif")),
                    IpxeTemplate.load("local.ipxe", overrides, Set.of("mac", "state", "local-boot")),
                    IpxeTemplate.load("ignored.ipxe", overrides, Set.of("mac")));
        }
    }

    /** @param endpoint expands the URLs of {@code settings} per request (the HTTP port is known once bound) */
    public BootScripts(BootSettings settings, MachineRegistry registry, BootEndpoint endpoint, BootEvidence evidence)
            throws IOException {
        this.registry = registry;
        this.evidence = evidence;
        this.endpoint = endpoint;
        this.served = new Served(settings, Templates.load(settings.templates()));
    }

    /**
     * Serves {@code settings} from now on; a request in flight finishes with what it started with.
     * Its templates are loaded first: if one fails (unreadable, an unknown placeholder), the
     * templates served so far stay, the rest of {@code settings} applies, and the error is thrown.
     */
    public synchronized void reload(BootSettings settings) throws IOException {
        Templates before = served.templates();
        try {
            served = new Served(settings, Templates.load(settings.templates()));
        } catch (IOException e) {
            served = new Served(settings, before);
            throw e;
        }
    }

    /** The name iPXE gives an image fetched from {@code url}: the last path segment. */
    static String imageName(String url) {
        int end = 0;
        while (end < url.length() && url.charAt(end) != '?' && url.charAt(end) != '#') {
            end++;
        }
        return url.substring(url.lastIndexOf('/', end - 1) + 1, end);
    }

    public String entry() {
        Served now = served;
        return now.templates().entry().render(Map.of("base-url", endpoint.expand(now.settings().baseUrl()),
                "attempts", Integer.toString(now.settings().attempts())));
    }

    /** A script that says why and moves on to the firmware's next boot device, as iPXE cannot use this one. */
    public static String giveUp(String why) {
        return GIVE_UP.formatted(why);
    }

    /**
     * Renders the machine's script for a request from {@code source} (null: unknown), recording the
     * boot (auto-discovery, UUID/serial) if it may have the agent.
     */
    public String forMachine(BootRequest request, InetAddress source) throws IOException {
        Served now = served;
        BootSettings settings = now.settings();
        MacAddress mac = request.mac();
        Optional<Machine> recorded = registry.machine(mac);
        if (recorded.isPresent() && !recorded.get().state().bootsAgent()) {
            return localDisk(now, registry.pxeBooted(mac, request.uuid(), request.serial()).orElse(recorded.get()),
                    request);
        }
        if (!registry.admits(mac)) {
            return now.templates().ignored().render(Map.of("mac", mac.toString()));
        }
        if (evidence.check(mac, source) instanceof EvidenceCheck.Refused(RefusalReason reason, String detail)) {
            evidence.refused(reason, source, mac, detail);
            return giveUp("no boot evidence for " + mac + " (" + reason.wireName() + "); trying the next boot device");
        }
        Machine machine;
        AgentBoot boot = registry.recordAgentBoot(mac, request.uuid(), request.serial());
        switch (boot.admission()) {
            case BootAdmission.Recorded(Machine m) -> machine = m;
            case BootAdmission.NotAdmitted() -> {
                return now.templates().ignored().render(Map.of("mac", mac.toString()));
            }
            case BootAdmission.OverUnregisteredCap(int cap) -> {
                evidence.refused(RefusalReason.UNREGISTERED_CAP, source, mac, cap
                        + " machines are discovered and never registered (machines.max-unregistered)");
                return giveUp("too many unregistered machines; trying the next boot device");
            }
        }
        if (boot.token().isEmpty()) {
            return localDisk(now, machine, request); // it does not boot the agent
        }
        String token = boot.token().get();
        evidence.accepted();
        BootProfile profile = settings.profiles().stream().filter(p -> p.selector().matches(machine)).findFirst()
                .orElse(settings.profiles().getLast());
        String initrd = endpoint.expand(profile.initrd());
        return now.templates().agent().render(Map.ofEntries(
                Map.entry("base-url", endpoint.expand(settings.baseUrl())),
                Map.entry("attempts", Integer.toString(settings.attempts())),
                Map.entry("mac", machine.mac().toString()),
                Map.entry("uuid", machine.uuid().map(Object::toString).orElse("")),
                Map.entry("serial", machine.serial().orElse("")),
                Map.entry("state", machine.state().wireName()),
                Map.entry("profile", profile.name()),
                Map.entry("kernel", endpoint.expand(profile.kernel())),
                Map.entry("initrd", initrd),
                Map.entry("initrd-name", imageName(initrd)),
                Map.entry("args", profile.args()),
                // pxelinux's BOOTIF form (01 = Ethernet): the agent brings this NIC up first.
                Map.entry("bootif", "01-" + machine.mac().toString().replace(':', '-')),
                Map.entry("token", token)));
    }

    private static String localDisk(Served now, Machine machine, BootRequest request) {
        BootSettings settings = now.settings();
        return now.templates().local().render(Map.of("mac", machine.mac().toString(), "state",
                machine.state().wireName(), "local-boot", request.efi() ? settings.localBootEfi()
                        : settings.localBootBios()));
    }
}
