package io.metalboot.appliance;

import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ConfigLoader;
import io.metalboot.appliance.systemd.SystemdNotifier;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The reload SIGHUP asks for: the config file given with {@code --config} read again and handed to
 * {@link Appliance#reload}, on a thread of its own (reading files is no work for the signal's
 * thread), one reload after another. systemd is told {@code RELOADING=1} as one begins and
 * {@code READY=1}, its outcome as the status, as it ends. An invalid file changes nothing.
 */
final class ConfigReload {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private final Appliance appliance;
    private final Path configFile;
    private final SystemdNotifier systemd;
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("reload").daemon().factory());
    /** Held by a reload, and by {@link #stop}: no READY=1 can follow STOPPING=1. */
    private final Object running = new Object();
    private boolean stopped;

    /** @param configFile the file given with --config; null: none, nothing to re-read */
    ConfigReload(Appliance appliance, Path configFile, SystemdNotifier systemd) {
        this.appliance = appliance;
        this.configFile = configFile;
        this.systemd = systemd;
    }

    /** Queues a reload; returns at once (it is called on the signal's thread). */
    void request() {
        try {
            thread.execute(this::reload);
        } catch (RejectedExecutionException e) {
            // SIGHUP while the appliance stops: nothing to reload any more.
        }
    }

    /** No reload from now on; one in progress finishes first. */
    void stop() {
        synchronized (running) {
            stopped = true;
        }
        thread.shutdown();
    }

    private void reload() {
        synchronized (running) {
            if (stopped) {
                return;
            }
            systemd.reloading("reloading " + (configFile == null ? "(no --config)" : configFile));
            String status;
            try {
                status = reloadFile();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "reload failed", e);
                status = "reload failed: " + e + "; serving as before";
            }
            systemd.ready(status);
        }
    }

    /** Reloads; the status for systemd. */
    private String reloadFile() {
        if (configFile == null) {
            LOG.log(Level.INFO, "reload: no --config was given, so there is no file to read again; nothing changed");
            return "serving the embedded defaults; reload: no --config, nothing to read again";
        }
        LOG.log(Level.INFO, "reloading {0}", configFile);
        ApplianceConfig file;
        try {
            file = ConfigLoader.load(configFile).config();
        } catch (ConfigLoader.ConfigLoadException e) {
            LOG.log(Level.ERROR, "config error: " + e.getMessage() + " (reload failed: nothing changed)");
            return "reload failed, nothing changed: config error: " + e.getMessage();
        }
        Appliance.ReloadResult result = appliance.reload(file);
        StringBuilder status = new StringBuilder(result.errors().isEmpty() ? "serving; reloaded: "
                : "reload failed for " + String.join("; ", result.errors()) + "; serving; reloaded: ");
        status.append(String.join(", ", result.applied()));
        if (!result.needRestart().isEmpty()) {
            status.append("; needs a restart: ").append(String.join(", ", result.needRestart()));
        }
        return status.toString();
    }
}
