package io.metalboot.agent;

import io.metalboot.agent.deploy.HttpBodyBuffers;
import io.metalboot.agent.deploy.ImageDeployer;
import io.metalboot.agent.deploy.disk.TargetDiskPolicy;
import io.metalboot.agent.inventory.DiskReader;
import io.metalboot.image.source.HttpTrust;
import java.time.Duration;
import io.metalboot.agent.boot.KernelModuleLoader;
import io.metalboot.agent.bootstrap.BootstrapPlacement;
import io.metalboot.agent.bootstrap.WrittenRoot;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.front.MetalbootFront;
import io.metalboot.agent.deploy.DeviceMaintenance;
import io.metalboot.agent.ironic.IpaParameters;
import io.metalboot.agent.ironic.IronicFront;
import io.metalboot.agent.ironic.RecentLines;
import io.metalboot.machine.MacAddress;
import java.util.function.Consumer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The agent in the ramdisk: loads the kernel modules its devices ask for, reads its arguments
 * from {@code /proc/cmdline}, brings up its NIC, registers with the appliance and serves its
 * actions. It logs to the serial console (stdout). A fatal error prints
 * {@code metalboot-agent: fatal: REASON}, tells the appliance if it can, and exits 1; the
 * ramdisk's init then leaves a shell on the console. It never reboots in a loop.
 */
public final class AgentMain {
    static final String FATAL = "metalboot-agent: fatal: ";

    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        HttpBodyBuffers.enlarge();
        RecentLines console = new RecentLines(2000, System.out::println);
        long started = System.nanoTime();
        MetalbootFront front = null;
        // boot-ramdisk.sh and the lab read this line: the uptime is the kernel's clock at main.
        console.accept("metalboot-agent: started at uptime " + uptime() + " s, cds="
                + (System.getProperty("java.vm.info", "").contains("sharing") ? "on" : "off"));
        try {
            AgentOptions options = AgentOptions.parse(args);
            // The NICs and disks exist once their drivers are loaded: first, before anything needs them.
            // on a host (a test's process) the modules are the host's: none are loaded, the index is not read
            KernelModuleLoader moduleLoader = options.kernelModules() ? KernelModuleLoader.forThisMachine(console) : null;
            WrittenRoot.FilesystemDriver filesystems = moduleLoader == null ? WrittenRoot.FilesystemDriver.BUILT_IN : moduleLoader::loadModule;
            if (moduleLoader != null) {
                KernelModuleLoader.Report modules = moduleLoader.loadForPresentDevices();
                console.accept("metalboot-agent: " + modules.loaded().size() + " kernel modules loaded; network interfaces: "
                        + listing(Path.of("/sys/class/net")) + "; block devices: " + listing(Path.of("/sys/block")));
            }
            KernelCommandLine cmdline = KernelCommandLine.parse(Files.readString(options.cmdline(),
                    StandardCharsets.US_ASCII));
            console.accept("metalboot-agent: " + cmdline);
            boolean ironic = IpaParameters.present(cmdline);
            IpaParameters ipa = ironic ? IpaParameters.parse(cmdline, line -> console.accept("metalboot-agent: " + line))
                    : null;
            String url = ironic ? null
                    : cmdline.applianceUrl().orElseThrow(() -> new Fatal("no metalboot.url on the kernel command line"));
            String token = ironic ? null
                    : cmdline.bootToken().orElseThrow(() -> new Fatal("no metalboot.token on the kernel command line"));
            Optional<MacAddress> bootMac = cmdline.bootMac();
            if (!ironic && bootMac.isEmpty()) {
                throw new Fatal("neither BOOTIF nor metalboot.mac on the kernel command line");
            }
            // IPA collects LLDP only when asked (ipa-collect-lldp); metalboot's inventory always does
            var lldpWait = ironic && !cmdline.get("ipa-collect-lldp").filter(v -> v.matches("1|true|yes|on")).isPresent()
                    ? Duration.ZERO : cmdline.lldpWait(); // a wrong value stops the agent here, before the network
            if (options.network()) {
                NetworkSetup network = new NetworkSetup(Path.of("/sys/class/net"),
                        List.of("udhcpc", "-n", "-q", "-f", "-t", "5", "-T", "3", "-s", "/etc/udhcpc.script"), console::accept);
                Optional<String> nic = network.bringUp(bootMac);
                if (nic.isEmpty()) {
                    throw new Fatal("no NIC got a DHCP lease" + bootMac.map(mac -> " (tried the boot NIC " + mac
                            + " first, then the others)").orElse(""));
                }
            }
            // The deploy's disks: the machine's own (the ramdisk sets no allow list; a host test names its loop devices).
            TargetDiskPolicy policy = options.allowDisks().isEmpty() ? TargetDiskPolicy.NONE
                    : TargetDiskPolicy.allowOnly(options.allowDisks().toArray(String[]::new));
            ImageDeployer.Settings disks = new ImageDeployer.Settings(new DiskReader(Path.of("/"), !options.allowDisks().isEmpty())::read,
                    policy, Duration.ofSeconds(10), ironic && ipa.insecure() ? new HttpTrust.Insecure() : HttpTrust.systemDefault());
            AgentCore.PowerControl power = options.powerEndsAgent() ? new ProcessExit(console) : new RamdiskPower();
            AgentCore core = new AgentCore(InventorySources.forThisMachine(bootMac.orElse(null), lldpWait), power,
                    new ImageDeployer(disks), new BootstrapPlacement(Path.of("/run/metalboot"), filesystems));
            if (ironic) {
                IronicMode.run(ipa, cmdline, bootMac, lldpWait, options.interfaces(), core, new DeviceMaintenance(disks),
                        policy, console);
                return;
            }
            front = new MetalbootFront(url, bootMac.get(), core, System.out);
            front.register(token, 8);
            console.accept("metalboot-agent: registered " + (System.nanoTime() - started) / 1_000_000 + " ms after main");
            front.serve();
        } catch (Fatal | MetalbootFront.RefusedException | IronicFront.FatalException | IllegalArgumentException e) {
            stop(console, front, e.getMessage());
        } catch (Exception e) {
            stop(console, front, e.toString());
        }
    }

    /** Prints the reason, tells the appliance if it can, and exits 1: /init then leaves a shell. */
    private static void stop(Consumer<String> console, MetalbootFront front, String reason) {
        console.accept(FATAL + reason);
        if (front != null && front.reportFatal(reason)) {
            console.accept("metalboot-agent: the appliance was told why");
        }
        System.exit(1);
    }

    private static String listing(Path dir) {
        try (var entries = Files.list(dir)) {
            return String.join(" ", entries.map(entry -> entry.getFileName().toString()).sorted().toList());
        } catch (java.io.IOException e) {
            return "(" + dir + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/uptime")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /** A reason to stop that the console should show as it is. */
    static final class Fatal extends Exception {
        private static final long serialVersionUID = 1L;

        Fatal(String message) {
            super(message);
        }
    }
}
