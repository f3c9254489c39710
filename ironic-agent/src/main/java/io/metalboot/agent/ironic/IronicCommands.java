package io.metalboot.agent.ironic;

import io.metalboot.agent.core.ActionOutcome;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.core.DiskMaintenance;
import io.metalboot.agent.deploy.fs.EfiRemovableLoader;
import io.metalboot.machine.agent.AgentActionKind;
import io.metalboot.machine.agent.DeployInstructions;
import io.metalboot.machine.agent.DeployedDisk;
import io.metalboot.machine.agent.DeployedPartition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * ironic-python-agent's commands ({@code extension.command}), each mapped to the agent's
 * transport-free actions ({@link AgentCore}, {@link DiskMaintenance}): what Ironic's direct deploy,
 * its metadata cleaning and ironic-inspector call. A command is synchronous (its result in the
 * POST's answer) or asynchronous (Ironic polls {@code GET /v1/commands/}), as IPA declares it.
 */
final class IronicCommands {
    /** The hardware manager's name and version, as Ironic records it between getting and executing steps. */
    static final String MANAGER = "MetalbootHardwareManager";
    static final String MANAGER_VERSION = "1.0";

    /** A command the table has. */
    record Command(boolean async, Handler handler) {
    }

    @FunctionalInterface
    interface Handler {
        Object run(Map<String, Object> params) throws Exception;
    }

    /** An unknown command or extension: Ironic's request is wrong (HTTP 400). */
    static final class UnknownCommandException extends Exception {
        private static final long serialVersionUID = 1L;

        UnknownCommandException(String message) {
            super(message);
        }
    }

    private final AgentCore core;
    private final DiskMaintenance disks;
    private final HardwareInfo hardware;
    private final IronicFront.SystemLogs logs;
    private final Consumer<String> console;
    private final AtomicReference<DeployedDisk> written = new AtomicReference<>();
    private final Map<String, Command> table = new LinkedHashMap<>();

    /** The inventory as IPA's {@code list_hardware_info} gives it (a JSON object). */
    @FunctionalInterface
    interface HardwareInfo {
        Map<String, Object> get() throws Exception;
    }

    IronicCommands(AgentCore core, DiskMaintenance disks, HardwareInfo hardware, IronicFront.SystemLogs logs,
            Consumer<String> console) {
        this.core = Objects.requireNonNull(core, "core");
        this.disks = Objects.requireNonNull(disks, "disks");
        this.hardware = hardware;
        this.logs = logs;
        this.console = console;
        table.put("deploy.get_deploy_steps", new Command(false, params -> steps("deploy", 0)));
        table.put("deploy.execute_deploy_step", new Command(true, params -> executeStep("deploy", params)));
        table.put("clean.get_clean_steps", new Command(false, params -> steps("clean", 99)));
        table.put("clean.execute_clean_step", new Command(true, params -> executeStep("clean", params)));
        table.put("standby.get_partition_uuids", new Command(false, params -> partitionUuids()));
        table.put("standby.sync", new Command(false, params -> {
            disks.sync();
            return null;
        }));
        table.put("standby.power_off", new Command(true, params -> power(AgentActionKind.POWER_OFF)));
        table.put("standby.run_image", new Command(true, params -> power(AgentActionKind.REBOOT)));
        table.put("image.install_bootloader", new Command(true, this::installBootloader));
        table.put("log.collect_system_logs", new Command(false,
                params -> Map.of("system_logs", Base64.getEncoder().encodeToString(logs.archive()))));
        table.put("poll.get_hardware_info", new Command(false, params -> hardware.get()));
    }

    /** The names of the commands there are, {@code extension.command}. */
    List<String> names() {
        return List.copyOf(table.keySet());
    }

    /** @throws UnknownCommandException for a name the table lacks, saying which part is unknown */
    Command command(String name) throws UnknownCommandException {
        Command command = table.get(name);
        if (command != null) {
            return command;
        }
        int dot = name.indexOf('.');
        String extension = dot < 0 ? name : name.substring(0, dot);
        if (dot < 0 || table.keySet().stream().noneMatch(known -> known.startsWith(extension + "."))) {
            throw new UnknownCommandException("Invalid command: Unknown extension: " + extension);
        }
        throw new UnknownCommandException("Invalid command: Unknown command: " + name);
    }

    /** What was last written, for the steps that follow the write. */
    Optional<DeployedDisk> written() {
        return Optional.ofNullable(written.get());
    }

    private static Map<String, Object> steps(String kind, int eraseMetadataPriority) {
        List<Map<String, Object>> steps = new ArrayList<>();
        steps.add(step("erase_devices_metadata", eraseMetadataPriority));
        if (kind.equals("deploy")) {
            steps.add(step("write_image", 0));
        }
        return Map.of(kind + "_steps", Map.of(MANAGER, steps), "hardware_manager_version",
                Map.of(MANAGER, MANAGER_VERSION));
    }

    private static Map<String, Object> step(String name, int priority) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("step", name);
        step.put("priority", priority);
        step.put("interface", "deploy");
        step.put("reboot_requested", false);
        step.put("abortable", name.equals("erase_devices_metadata"));
        step.put("argsinfo", null);
        return step;
    }

    @SuppressWarnings("unchecked")
    private Object executeStep(String kind, Map<String, Object> params) throws Exception {
        Map<String, Object> step = map(params.get("step"), "step");
        String name = String.valueOf(step.get("step"));
        Map<String, Object> args = step.get("args") instanceof Map<?, ?> given ? (Map<String, Object>) given : Map.of();
        Map<String, Object> node = params.get("node") instanceof Map<?, ?> given ? (Map<String, Object>) given : Map.of();
        Object outcome = switch (name) {
            case "erase_devices_metadata" -> disks.eraseMetadata();
            case "write_image" -> {
                if (!kind.equals("deploy")) {
                    throw failure(name + " is a deploy step, not a " + kind + " step");
                }
                yield writeImage(map(args.get("image_info"), "image_info"), args.get("configdrive"), node);
            }
            default -> throw failure("Unknown " + kind + " step: " + name + " (this agent has erase_devices_metadata"
                    + (kind.equals("deploy") ? " and write_image)" : ")"));
        };
        Map<String, Object> result = new LinkedHashMap<>();
        result.put(kind + "_result", outcome);
        result.put(kind + "_step", step);
        return result;
    }

    @SuppressWarnings("unchecked")
    private Object writeImage(Map<String, Object> image, Object configDrive, Map<String, Object> node) throws Exception {
        if ("partition".equals(image.get("image_type")) || image.containsKey("root_mb") || image.containsKey("root_gb")
                && !"whole-disk".equals(image.get("image_type"))) {
            throw failure("write_image: partition images are not supported; give a whole-disk image");
        }
        List<?> urls = image.get("urls") instanceof List<?> list ? list : List.of();
        if (urls.isEmpty()) {
            throw failure("write_image: image_info has no urls");
        }
        String format = switch (String.valueOf(image.getOrDefault("disk_format", "")).toLowerCase(Locale.ROOT)) {
            case "raw" -> "raw";
            case "qcow2" -> "qcow2";
            case "", "null" -> "detect";
            default -> throw failure("write_image: disk_format " + image.get("disk_format")
                    + " is not supported (raw, qcow2)");
        };
        String checksum = checksum(image);
        Map<String, Object> properties = node.get("properties") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
        Map<String, Object> hints = properties.get("root_device") instanceof Map<?, ?> h ? (Map<String, Object>) h : Map.of();
        // the deploy's name in logs: Ironic's image "id" is the URL's last segment, query (a signed URL's credential) and all
        String id = image.get("node_uuid") instanceof String nodeUuid && !nodeUuid.isBlank() ? nodeUuid
                : String.valueOf(image.getOrDefault("id", "image")).replaceFirst("[?#].*", "");
        ActionOutcome outcome = null;
        for (Object url : urls) {
            DeployInstructions instructions = new DeployInstructions(id, String.valueOf(url), checksum, format, hints, false);
            console.accept("write_image: " + instructions);
            outcome = core.deploy(instructions, progress -> {
            });
            // IPA tries the next URL when one cannot be read; a checksum mismatch is final
            if (outcome.succeeded() || outcome.message().contains("checksum")) {
                break;
            }
        }
        if (!outcome.succeeded()) {
            throw failure(outcome.message());
        }
        DeployedDisk disk = outcome.deployed();
        if (configDrive instanceof String drive && !drive.isBlank()) {
            disk = disks.addConfigDrive(disk, configDriveImage(drive));
        }
        written.set(disk);
        return "image written to " + disk.disk() + " (" + disk.imageBytes() + " bytes, " + disk.tableType()
                + " table, " + disk.partitions().size() + " partitions)";
    }

    /** Ironic's preferred os_hash_algo/os_hash_value; the legacy md5 {@code checksum} only without them. */
    private static String checksum(Map<String, Object> image) throws IpaCommandLog.CommandFailure {
        Object algorithm = image.get("os_hash_algo");
        Object value = image.get("os_hash_value");
        if (algorithm instanceof String a && value instanceof String v && !a.isBlank() && !v.isBlank()) {
            return a.toLowerCase(Locale.ROOT) + ":" + v.toLowerCase(Locale.ROOT);
        }
        if (image.get("checksum") instanceof String md5 && md5.matches("(?i)[0-9a-f]{32}")) {
            return "md5:" + md5.toLowerCase(Locale.ROOT);
        }
        throw failure("write_image: image_info has no os_hash_algo and os_hash_value (nor an md5 checksum)");
    }

    /** Ironic sends the config drive gzipped and base64-encoded (a URL would be fetched by IPA: not yet here). */
    private static byte[] configDriveImage(String drive) throws Exception {
        if (drive.startsWith("http://") || drive.startsWith("https://")) {
            throw failure("write_image: a config drive given by URL is not supported yet");
        }
        byte[] packed;
        try {
            packed = Base64.getMimeDecoder().decode(drive);
        } catch (IllegalArgumentException e) {
            throw failure("write_image: the config drive is not base64");
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(packed))) {
            byte[] image = in.readNBytes((64 << 20) + 1);
            if (image.length > 64 << 20) {
                throw failure("write_image: the config drive is larger than 64 MiB");
            }
            return image;
        } catch (IOException e) {
            throw failure("write_image: the config drive is not gzipped: " + e.getMessage());
        }
    }

    /** IPA's keys: {@code root uuid} is a whole disk's identifier (GPT disk GUID, or an MBR's 0x id). */
    private Map<String, Object> partitionUuids() {
        DeployedDisk disk = written.get();
        Map<String, Object> uuids = new LinkedHashMap<>();
        if (disk == null) {
            return uuids;
        }
        uuids.put("root uuid", disk.diskGuid());
        esp(disk).ifPresent(esp -> uuids.put("efi system partition uuid", esp.partitionGuid()));
        Map<String, Object> partitions = new LinkedHashMap<>();
        for (DeployedPartition partition : disk.partitions()) {
            partitions.put(partition.node(), partition.partitionGuid());
        }
        uuids.put("partitions", partitions);
        return uuids;
    }

    private static Optional<DeployedPartition> esp(DeployedDisk disk) {
        return disk.partitions().stream()
                .filter(p -> EfiRemovableLoader.isEsp(disk.tableType(), p.typeGuid())).findFirst();
    }

    /**
     * For a whole-disk image in UEFI mode: a stated no-op when the image's ESP holds the
     * removable-media loader, which UEFI firmware boots with no boot entry (UEFI 2.10, 3.5.1.1);
     * writing an NVRAM entry (efibootmgr) is not done here. Without that loader the command fails:
     * the machine would not boot its disk. BIOS mode: nothing to do for a whole-disk image.
     */
    private Object installBootloader(Map<String, Object> params) throws Exception {
        DeployedDisk disk = written.get();
        if (disk == null) {
            throw failure("install_bootloader: no image was written by this agent");
        }
        String mode = String.valueOf(params.getOrDefault("target_boot_mode", "bios"));
        if (!mode.equals("uefi")) {
            return "install_bootloader: nothing to do for a whole-disk image in " + mode + " mode";
        }
        Optional<String> loader = disks.removableLoader(disk);
        if (loader.isEmpty()) {
            throw failure("install_bootloader: " + disk.disk() + " has no removable-media boot loader"
                    + (esp(disk).isEmpty() ? " (no EFI system partition)" : " on its EFI system partition")
                    + "; this agent writes no UEFI boot entries");
        }
        return "install_bootloader: no UEFI boot entry written: " + disk.disk() + " boots through the removable-media path "
                + loader.get();
    }

    private Object power(AgentActionKind kind) throws Exception {
        disks.sync();
        ActionOutcome outcome = core.perform(kind);
        if (!outcome.succeeded()) {
            throw failure(outcome.message());
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) throws IpaCommandLog.CommandFailure {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IpaCommandLog.CommandFailure(new IpaCommandResult.CommandError("InvalidCommandParamsError", 400,
                "Invalid command parameters", "missing or invalid " + what));
    }

    static IpaCommandLog.CommandFailure failure(String details) {
        return new IpaCommandLog.CommandFailure(IpaCommandResult.CommandError.executionFailed(details));
    }
}
