package io.metalboot.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A real OpenStack Ironic, standalone, inside a lab namespace: the Debian 12 packages' ironic
 * 21.4.4 all-in-one process ({@code /usr/bin/ironic}: API on {@code ADDRESS:6385} and conductor,
 * {@code rpc_transport = none}) and ironic-inspector 11.1.0 ({@code ADDRESS:5050}, API and
 * conductor in one process too), sqlite databases, noauth, nothing of keystone, glance, neutron or
 * swift: every endpoint either is configured to the two services on {@code ADDRESS}
 * ({@code [service_catalog]}, {@code [inspector]}, the inspector's {@code [ironic]}) or is never
 * used (network {@code noop}, {@code [dhcp] dhcp_provider = none}, http images). Both listen on
 * {@code ADDRESS} only.
 *
 * <p>The node model this configures: hardware type {@code fake-hardware} with power and management
 * {@code fake} (the conductor only records power states), boot {@code fake} (nothing is PXE
 * configured: the lab boots the agent itself), deploy {@code direct} (the agent writes the image),
 * inspect {@code inspector} (default) or {@code no-inspect}, network {@code noop}. Facts of ironic
 * 21.4.4 a test must know:
 * <ul>
 *   <li><b>vendor</b>: fake management supports only the boot device {@code pxe}; at the end of a
 *       direct deploy {@code agent_base.configure_local_boot} sets the boot device to {@code disk},
 *       which fake management refuses ("Invalid boot device disk specified") and the deploy fails.
 *       It skips that call only for node property {@code vendor = lenovo} in UEFI boot mode (the
 *       Lenovo NVRAM workaround, bug 2053064), so nodes get {@code properties.vendor = "lenovo"}
 *       and the boot mode stays UEFI ({@code [deploy] default_boot_mode}).</li>
 *   <li><b>an http image</b> ({@code instance_info}): {@code image_source} = the http URL (for a
 *       non-glance source ironic sets {@code image_url} from it itself), a checksum — either
 *       {@code image_os_hash_algo} + {@code image_os_hash_value} (e.g. sha256) or the legacy
 *       {@code image_checksum} — else validation fails; {@code image_disk_format} raw or qcow2
 *       (optional, the permitted formats are raw, qcow2, iso); no {@code kernel}/{@code ramdisk}
 *       means a whole-disk image (or set {@code image_type = whole-disk}). The conductor itself
 *       sends a HEAD to the URL (and follows one redirect) before the deploy, so the image server
 *       must be reachable from this namespace. {@code [agent] image_download_source = http}.</li>
 *   <li><b>inspection</b>: with boot {@code fake} ironic does not manage the inspection boot
 *       ({@code validate_inspection} is unsupported), so it asks the inspector to manage it
 *       ({@code manage_boot} true; the inspector sets boot device pxe and powers on through
 *       ironic's API, both fake, with the no-op PXE filter). The kernel parameter ironic would pass
 *       for a boot it manages, {@code ipa-inspection-callback-url}, is therefore the lab's job:
 *       {@link #inspectionCallbackUrl()} ({@code http://ADDRESS:5050/v1/continue}; also
 *       configured as {@code [inspector] callback_endpoint_override}). The inspector stores the
 *       data ({@code store_data = database}), ironic copies the inventory to
 *       {@code GET /v1/nodes/UUID/inventory}.</li>
 * </ul>
 * Startup is Python's, CPU-bound: each schema about 3 s (in parallel) and both processes answering
 * about 4 s later on an idle 2-CPU host; 18 s and 34 s in all with the host at load 9.
 */
final class IronicService implements AutoCloseable {
    static final Path IRONIC = Path.of("/usr/bin/ironic");
    static final Path IRONIC_DBSYNC = Path.of("/usr/bin/ironic-dbsync");
    static final Path INSPECTOR = Path.of("/usr/bin/ironic-inspector");
    static final Path INSPECTOR_DBSYNC = Path.of("/usr/bin/ironic-inspector-dbsync");
    static final Path BAREMETAL = Path.of("/usr/bin/baremetal");
    static final int API_PORT = 6385;
    static final int INSPECTOR_PORT = 5050;
    private static final Duration DBSYNC = Duration.ofSeconds(60);
    private static final Duration CLI = Duration.ofSeconds(60);
    private static final int TAIL = 30;

    /**
     * @param automatedClean {@code [conductor] automated_clean}: cleaning on provide and after
     *     undeploy (the agent's metadata erase only: {@code erase_devices_priority = 0})
     * @param defaultBootMode {@code [deploy] default_boot_mode}: uefi or bios (see the vendor note)
     * @param debug DEBUG instead of INFO in both logs
     * @param callbackTimeout how long a node may wait for the agent: deploy and clean callbacks,
     *     inspect wait (ironic) and introspection (inspector)
     * @param startTimeout how long the two processes may take to answer
     * @param ramdiskHeartbeatTimeout {@code [api] ramdisk_heartbeat_timeout}: the {@code heartbeat_timeout}
     *     every agent's lookup gets (agents heartbeat every 0.3–0.6 of it); null: Ironic's default (300 s)
     */
    record Settings(String bindAddress, Path workDir, boolean automatedClean, String defaultBootMode, boolean debug,
                    Duration callbackTimeout, Duration startTimeout, Duration ramdiskHeartbeatTimeout) {

        static Settings of(String bindAddress, Path workDir) {
            return new Settings(bindAddress, workDir, true, "uefi", false, Duration.ofMinutes(15), Duration.ofSeconds(60),
                    null);
        }

        Settings withRamdiskHeartbeatTimeout(Duration value) {
            return new Settings(bindAddress, workDir, automatedClean, defaultBootMode, debug, callbackTimeout, startTimeout,
                    value);
        }

        Settings withAutomatedClean(boolean value) {
            return new Settings(bindAddress, workDir, value, defaultBootMode, debug, callbackTimeout, startTimeout, ramdiskHeartbeatTimeout);
        }

        Settings withDefaultBootMode(String value) {
            return new Settings(bindAddress, workDir, automatedClean, value, debug, callbackTimeout, startTimeout, ramdiskHeartbeatTimeout);
        }

        Settings withDebug(boolean value) {
            return new Settings(bindAddress, workDir, automatedClean, defaultBootMode, value, callbackTimeout, startTimeout, ramdiskHeartbeatTimeout);
        }

        Settings withCallbackTimeout(Duration value) {
            return new Settings(bindAddress, workDir, automatedClean, defaultBootMode, debug, value, startTimeout, ramdiskHeartbeatTimeout);
        }
    }

    private final Namespace namespace;
    private final Settings settings;
    private final List<ChildProcess> processes = new ArrayList<>();
    private Duration startupTime = Duration.ZERO;
    private Duration schemaTime = Duration.ZERO;

    private IronicService(Namespace namespace, Settings settings) {
        this.namespace = namespace;
        this.settings = settings;
    }

    static IronicService start(Namespace namespace, String bindAddress, Path workDir) {
        return start(namespace, Settings.of(bindAddress, workDir));
    }

    /**
     * Writes {@code ironic.conf} and {@code inspector.conf} into the work directory, creates fresh
     * sqlite databases, starts both services in {@code namespace} and returns once
     * {@code GET /} answers on both ports. On failure everything started is stopped and the
     * exception carries the logs' tails.
     */
    static IronicService start(Namespace namespace, Settings settings) {
        long started = System.nanoTime();
        var service = new IronicService(namespace, settings);
        try {
            service.prepare();
            service.schemaTime = Duration.ofNanos(System.nanoTime() - started);
            service.launch();
            service.startupTime = Duration.ofNanos(System.nanoTime() - started);
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private Path dir() {
        return settings.workDir();
    }

    Path ironicConf() {
        return dir().resolve("ironic.conf");
    }

    Path inspectorConf() {
        return dir().resolve("inspector.conf");
    }

    /** oslo.log's file (its stderr would be coloured); the process's own output is in {@code ironic.out}. */
    Path ironicLog() {
        return dir().resolve("ironic.log");
    }

    Path inspectorLog() {
        return dir().resolve("inspector.log");
    }

    String address() {
        return settings.bindAddress();
    }

    /** {@code http://ADDRESS:6385}: the API, for the agent's {@code ipa-api-url} too. */
    String apiUrl() {
        return "http://" + address() + ":" + API_PORT;
    }

    /** {@code http://ADDRESS:5050}. */
    String inspectorUrl() {
        return "http://" + address() + ":" + INSPECTOR_PORT;
    }

    /** Where the ramdisk posts its introspection data: the kernel parameter {@code ipa-inspection-callback-url}. */
    String inspectionCallbackUrl() {
        return inspectorUrl() + "/v1/continue";
    }

    /** The Ironic API through curl inside the service's namespace. */
    IronicApiClient api() {
        return IronicApiClient.inNamespace(namespace, apiUrl());
    }

    /** ironic-inspector's API ({@code /v1/introspection/UUID} ...), the same way. */
    IronicApiClient inspectorApi() {
        return IronicApiClient.inNamespace(namespace, inspectorUrl());
    }

    /** dbsync and both processes until they answered. */
    Duration startupTime() {
        return startupTime;
    }

    /** Of {@link #startupTime()}: the two schemas (created in parallel). */
    Duration schemaTime() {
        return schemaTime;
    }

    /**
     * Polls {@code GET /v1/introspection/UUID} on the inspector until its {@code state} is
     * {@code state} (starting, waiting, processing, finished, error ...) and returns it; the
     * inspector's {@code error} state (unless awaited) and the timeout fail with the last answer.
     */
    JsonNode awaitIntrospection(String uuid, String state, Duration timeout) {
        var deadline = Deadline.in(timeout);
        while (true) {
            JsonNode status = inspectorApi().get("/v1/introspection/" + uuid);
            String now = IronicApiClient.text(status, "state");
            if (state.equals(now)) {
                return status;
            }
            if ("error".equals(now) || deadline.remaining().isZero()) {
                throw new LabException("introspection of " + uuid + " did not reach '" + state + "': " + status);
            }
            Deadline.pause(Duration.ofMillis(500), "waiting for the introspection of " + uuid);
        }
    }

    /**
     * The operator's CLI, in the namespace: {@code baremetal --os-endpoint http://ADDRESS:6385
     * --os-auth-type none --os-baremetal-api-version 1.81 ARGS...} (ironicclient 5.0.1's standalone
     * shell: {@code --os-endpoint} is what makes it standalone, auth type none is its default
     * anyway), in an empty environment (no OS_* variables, no clouds.yaml of the host's HOME).
     * Returns stdout; stderr goes to {@code baremetal.err}, whose tail a failure carries.
     */
    String baremetal(String... args) {
        Path home = dir().resolve("cli-home");
        Path err = dir().resolve("baremetal.err");
        var command = new ArrayList<>(List.of("/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "HOME=" + home,
                "PYTHONWARNINGS=ignore", BAREMETAL.toString(), "--os-endpoint", apiUrl(), "--os-auth-type", "none",
                "--os-baremetal-api-version", IronicApiClient.API_VERSION));
        command.addAll(List.of(args));
        // sh's $0 is the file stderr goes to; "$@" the CLI
        var argv = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$@\" 2>>\"$0\"", err.toString()));
        argv.addAll(command);
        try {
            Files.createDirectories(home);
            Files.writeString(err, "# baremetal " + String.join(" ", args) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new LabException("cannot prepare the CLI's home " + home, e);
        }
        try {
            return Command.run(CLI, namespace.exec(argv));
        } catch (LabException e) {
            throw new LabException(e.getMessage() + "\nbaremetal.err:\n" + tail(err), e);
        }
    }

    private void prepare() {
        try {
            for (String sub : List.of("state", "tmp", "deploy-logs", "httpboot", "ramdisk-logs", "coordination")) {
                Files.createDirectories(dir().resolve(sub));
            }
            // a fresh start: oslo.log appends to its file (dbsync's lines go there too)
            for (String stale : List.of("ironic.sqlite", "inspector.sqlite", "ironic.log", "inspector.log", "baremetal.err")) {
                Files.deleteIfExists(dir().resolve(stale));
            }
            Files.writeString(ironicConf(), ironicConfText(), StandardCharsets.UTF_8);
            Files.writeString(inspectorConf(), inspectorConfText(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write Ironic's configuration into " + dir(), e);
        }
        var ironicSchema = CompletableFuture.runAsync(() -> Command.run(DBSYNC, namespace.exec(List.of(
                IRONIC_DBSYNC.toString(), "--config-file", ironicConf().toString(), "create_schema"))));
        var inspectorSchema = CompletableFuture.runAsync(() -> Command.run(DBSYNC, namespace.exec(List.of(
                INSPECTOR_DBSYNC.toString(), "--config-file", inspectorConf().toString(), "upgrade"))));
        try {
            CompletableFuture.allOf(ironicSchema, inspectorSchema).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof LabException lab ? lab : new LabException("dbsync failed", e.getCause());
        }
    }

    private void launch() {
        var ironic = ChildProcess.start("ironic", namespace.exec(List.of(IRONIC.toString(), "--config-file",
                ironicConf().toString())), dir().resolve("ironic.out"));
        processes.add(ironic);
        var inspector = ChildProcess.start("ironic-inspector", namespace.exec(List.of(INSPECTOR.toString(),
                "--config-file", inspectorConf().toString())), dir().resolve("inspector.out"));
        processes.add(inspector);
        var deadline = Deadline.in(settings.startTimeout());
        awaitAnswer(ironic, apiUrl() + "/", ironicLog(), deadline);
        awaitAnswer(inspector, inspectorUrl() + "/", inspectorLog(), deadline);
    }

    private void awaitAnswer(ChildProcess process, String url, Path log, Deadline deadline) {
        while (true) {
            if (!process.isAlive()) {
                throw new LabException(process.label() + " ended before it answered on " + url + failureDetail(process, log));
            }
            try {
                String code = Command.run(Duration.ofSeconds(5), namespace.exec(List.of(Tool.CURL.path(), "-s",
                        "--noproxy", "*", "--max-time", "2", "-o", "/dev/null", "-w", "%{http_code}", url))).strip();
                if (code.equals("200")) {
                    return;
                }
            } catch (LabException e) {
                // not listening yet (curl exits 7)
            }
            if (deadline.remaining().isZero()) {
                throw new LabException(process.label() + " did not answer on " + url + " within "
                        + settings.startTimeout() + failureDetail(process, log));
            }
            Deadline.pause(Duration.ofMillis(200), "waiting for " + process.label());
        }
    }

    private String failureDetail(ChildProcess process, Path log) {
        return "\n" + process.label() + " output:\n" + process.lines().tail(TAIL) + "\n" + log.getFileName() + ":\n" + tail(log);
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "(no " + file + ")";
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Stops ironic, then the inspector (SIGTERM, a grace period, SIGKILL), whatever fails. Ironic
     * first: it polls the inspector every 5 s, the inspector calls ironic far more rarely.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (ChildProcess process : processes) {
            try {
                process.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        processes.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private String ironicConfText() {
        String a = address();
        String timeout = Long.toString(settings.callbackTimeout().toSeconds());
        return """
                # Written by the lab's IronicService: ironic 21.4.4 standalone in a lab namespace.
                [DEFAULT]
                auth_strategy = noauth
                # one process (API + conductor): the API calls the conductor in-process
                rpc_transport = none
                host = metalboot-lab
                my_ip = %1$s
                debug = %2$s
                log_file = %3$s/ironic.log
                use_stderr = false
                state_path = %3$s/state
                tempdir = %3$s/tmp
                # a lab host may have less than [DEFAULT] minimum_required_memory (1 GiB) free
                minimum_memory_warning_only = true
                enabled_hardware_types = fake-hardware
                enabled_power_interfaces = fake
                default_power_interface = fake
                enabled_management_interfaces = fake
                default_management_interface = fake
                enabled_boot_interfaces = fake
                default_boot_interface = fake
                enabled_deploy_interfaces = direct
                default_deploy_interface = direct
                enabled_inspect_interfaces = inspector,no-inspect
                default_inspect_interface = inspector
                enabled_network_interfaces = noop
                default_network_interface = noop
                # the remaining interfaces: only what needs nothing (no cinder, no ipmitool/redfish vendor)
                enabled_bios_interfaces = no-bios
                enabled_console_interfaces = no-console
                enabled_raid_interfaces = no-raid,agent
                default_raid_interface = no-raid
                enabled_rescue_interfaces = no-rescue
                enabled_storage_interfaces = noop
                enabled_vendor_interfaces = no-vendor

                [api]
                host_ip = %1$s
                port = %4$d
                api_workers = 1
                %9$s

                [database]
                connection = sqlite:///%3$s/ironic.sqlite

                [dhcp]
                dhcp_provider = none

                [conductor]
                automated_clean = %5$s
                deploy_callback_timeout = %6$s
                clean_callback_timeout = %6$s
                inspect_wait_timeout = %6$s
                # how often those timeouts are checked (default 60 s)
                check_provision_state_interval = 5

                [agent]
                # tear_down_agent waits (retries + 1) x interval for a soft power-off fake power never reports
                post_deploy_get_power_state_retries = 1
                post_deploy_get_power_state_retry_interval = 1
                image_download_source = http
                deploy_logs_local_path = %3$s/deploy-logs

                [deploy]
                default_boot_mode = %7$s
                http_root = %3$s/httpboot
                http_url = http://%1$s:8080
                # cleaning is the agent's metadata erase only, no full-disk shred
                erase_devices_priority = 0

                [service_catalog]
                # ironic's own URL (ipa-api-url, fast track): no keystone catalog
                auth_type = none
                endpoint_override = http://%1$s:%4$d

                [inspector]
                auth_type = none
                endpoint_override = http://%1$s:%8$d
                callback_endpoint_override = http://%1$s:%8$d
                # how soon a finished introspection moves the node out of inspect wait (default 60 s)
                status_check_period = 5
                """.formatted(a, settings.debug(), dir(), API_PORT, settings.automatedClean(), timeout,
                settings.defaultBootMode(), INSPECTOR_PORT, settings.ramdiskHeartbeatTimeout() == null
                        ? "# ramdisk_heartbeat_timeout: Ironic's default"
                        : "ramdisk_heartbeat_timeout = " + settings.ramdiskHeartbeatTimeout().toSeconds());
    }

    private String inspectorConfText() {
        String a = address();
        return """
                # Written by the lab's IronicService: ironic-inspector 11.1.0 standalone in a lab namespace.
                [DEFAULT]
                auth_strategy = noauth
                # API and conductor in one process: oslo.messaging's in-process driver
                transport_url = fake://
                standalone = true
                listen_address = %1$s
                listen_port = %2$d
                host = metalboot-lab
                debug = %3$s
                log_file = %4$s/inspector.log
                use_stderr = false
                introspection_delay = 0
                timeout = %5$d
                # (the default) with boot fake, ironic leaves the inspection boot to the inspector (manage_boot)
                can_manage_boot = true

                [coordination]
                # the default memcached://localhost:11211 is only tried and given up on; a file backend needs nothing
                backend_url = file://%4$s/coordination

                [database]
                connection = sqlite:///%4$s/inspector.sqlite

                [ironic]
                auth_type = none
                endpoint_override = http://%1$s:%6$d

                [service_catalog]
                auth_type = none
                endpoint_override = http://%1$s:%2$d

                [pxe_filter]
                driver = noop

                [processing]
                # introspection data kept (GET /v1/introspection/UUID/data); ironic copies the inventory
                store_data = database
                # a port for the MAC the ramdisk booted from; the ports a test enrolled stay
                add_ports = pxe
                keep_ports = all
                ramdisk_logs_dir = %4$s/ramdisk-logs
                """.formatted(a, INSPECTOR_PORT, settings.debug(), dir(), settings.callbackTimeout().toSeconds(), API_PORT);
    }
}
