package io.metalboot.appliance.boot;

import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The iPXE scripts machines run: the entry script the ProxyDHCP hands out, and each machine's own
 * script, chosen by what the registry knows of it: the agent ramdisk while it is discovered,
 * inspecting or provisioning; its local disk once provisioned, so it never loops back.
 */
public final class BootScripts {
    private final BootSettings settings;
    private final MachineRegistry registry;
    private final BootEndpoint endpoint;
    private final IpxeTemplate entry;
    private final IpxeTemplate agent;
    private final IpxeTemplate local;
    private final IpxeTemplate ignored;

    /** @param endpoint expands the URLs of {@code settings} per request (the HTTP port is known once bound) */
    public BootScripts(BootSettings settings, MachineRegistry registry, BootEndpoint endpoint) throws IOException {
        this.settings = settings;
        this.registry = registry;
        this.endpoint = endpoint;
        this.entry = IpxeTemplate.load("entry.ipxe", settings.templates(), Set.of("base-url", "attempts"));
        this.agent = IpxeTemplate.load("agent.ipxe", settings.templates(), Set.of("base-url", "attempts", "mac",
                "uuid", "serial", "state", "profile", "kernel", "initrd", "initrd-name", "args", "token", "bootif"));
        this.local = IpxeTemplate.load("local.ipxe", settings.templates(), Set.of("mac", "state", "local-boot"));
        this.ignored = IpxeTemplate.load("ignored.ipxe", settings.templates(), Set.of("mac"));
    }

    /** The name iPXE gives an image fetched from {@code url}: the last path segment. */
    static String imageName(String url) {
        String path = url.replaceFirst("[?#].*$", "");
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public String entry() {
        return entry.render(Map.of("base-url", endpoint.expand(settings.baseUrl()),
                "attempts", Integer.toString(settings.attempts())));
    }

    /** Records the boot (auto-discovery, UUID/serial) and renders the machine's script. */
    public String forMachine(BootRequest request) throws IOException {
        Optional<Machine> known = registry.pxeBooted(request.mac(), request.uuid(), request.serial());
        if (known.isEmpty()) {
            return ignored.render(Map.of("mac", request.mac().toString()));
        }
        Machine machine = known.get();
        if (!machine.state().bootsAgent()) {
            return local.render(Map.of("mac", machine.mac().toString(), "state", machine.state().wireName(),
                    "local-boot", request.efi() ? settings.localBootEfi() : settings.localBootBios()));
        }
        BootProfile profile = settings.profiles().stream().filter(p -> p.selector().matches(machine)).findFirst()
                .orElse(settings.profiles().getLast());
        String initrd = endpoint.expand(profile.initrd());
        return agent.render(Map.ofEntries(
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
                Map.entry("token", registry.issueBootToken(machine.mac()))));
    }
}
