package io.metalboot.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The packaged appliance (the .deb's runtime and jar, {@link PackagedAppliance}) running as a child
 * process inside the appliance namespace, with a config file written for the scenario.
 */
final class ApplianceProcess implements AutoCloseable {
    static final String READY_LINE = "metalboot started";
    private static final Duration READY = Duration.ofSeconds(60);

    private final ChildProcess process;

    private ApplianceProcess(ChildProcess process) {
        this.process = process;
    }

    /** Starts the appliance and returns once it logged {@value #READY_LINE}. */
    static ApplianceProcess start(LabNetwork network, PackagedAppliance packaged, ApplianceConfig config) {
        return start(network, packaged, config, network.workDir(), List.of());
    }

    /**
     * As {@link #start(LabNetwork, PackagedAppliance, ApplianceConfig)}, with its config and log in
     * {@code runDir} and {@code jvmOptions} before {@code -jar} (a heap limit, the unit's flags).
     */
    static ApplianceProcess start(LabNetwork network, PackagedAppliance packaged, ApplianceConfig config, Path runDir,
                                  List<String> jvmOptions) {
        Path configFile = runDir.resolve("appliance.yaml").toAbsolutePath();
        try {
            Files.createDirectories(runDir);
            Files.createDirectories(config.stateDir());
            Files.createDirectories(config.assets());
            // iPXE from the .deb too, as an installed appliance serves it (the scenario's config names no tftp:).
            Files.writeString(configFile, config.yaml() + "tftp:\n  root: \"" + packaged.ipxe() + "\"\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write " + configFile, e);
        }
        List<String> java = new java.util.ArrayList<>(List.of(packaged.java().toString()));
        java.addAll(jvmOptions);
        java.addAll(List.of("-jar", packaged.jar().toString(), "--config", configFile.toString()));
        List<String> argv = network.appliance().exec(java);
        var appliance = network.adopt(new ApplianceProcess(
                ChildProcess.start("appliance", argv, runDir.resolve("appliance.log"))));
        var ready = appliance.process.lines().await(line -> line.contains(READY_LINE), READY);
        if (ready.isEmpty()) {
            throw new LabException("the appliance did not log \"" + READY_LINE + "\" within " + READY
                    + (appliance.isAlive() ? "" : " (it exited)") + ":\n" + appliance.log().tail(30));
        }
        return appliance;
    }

    /** The JVM running the lab: for the lab's own helper processes (the mock cluster, relays). */
    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .filter(command -> command.endsWith("/java"))
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The appliance's own PID (its JVM: {@code ip netns exec} execs). */
    long pid() {
        return process.pid();
    }

    /** Its log, line by line. */
    public Journal<String> log() {
        return process.lines();
    }

    /** Still running (a crash during a scenario explains a missing answer). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM: the appliance logs its counters on a clean stop. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "appliance";
    }
}
