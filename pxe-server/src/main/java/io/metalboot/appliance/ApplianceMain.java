package io.metalboot.appliance;

import io.metalboot.appliance.api.ApiToken;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ConfigException;
import io.metalboot.appliance.config.ConfigLoader;
import io.metalboot.appliance.systemd.HangupSignal;
import io.metalboot.appliance.systemd.SystemdNotifier;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * The appliance process: reads the config, starts each enabled service, and runs until SIGTERM;
 * SIGHUP reloads what of the config can change while it runs ({@link ConfigReload}), and systemd
 * ({@code Type=notify}) is told when it is ready, reloading and stopping. It never starts
 * half-configured: any config or bind error stops it with a non-zero exit.
 */
public final class ApplianceMain {
    static {
        // Before the first logger exists: keeps the log handlers alive through our shutdown hook.
        System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
    }

    private static final System.Logger LOG = System.getLogger("metalboot");
    static final int EXIT_CONFIG = 2;
    static final int EXIT_START = 3;

    private ApplianceMain() {
    }

    public static void main(String[] args) {
        configureLogging(java.util.logging.Level.INFO);
        Path configFile = null;
        boolean rotateApiToken = false;
        boolean checkConfig = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        usage("--config needs a file");
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--rotate-api-token" -> rotateApiToken = true;
                case "--check-config" -> checkConfig = true;
                case "--help", "-h" -> {
                    System.out.println(USAGE + "   (defaults: see metalboot-defaults.yaml)");
                    return;
                }
                default -> usage("unknown argument: " + args[i]);
            }
        }

        ConfigLoader.LoadedConfig loaded;
        try {
            loaded = configFile == null ? ConfigLoader.defaults() : ConfigLoader.load(configFile);
        } catch (ConfigLoader.ConfigLoadException e) {
            System.err.println("metalboot: config error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        ApplianceConfig config = loaded.config();
        if (checkConfig) {
            // What can be checked without binding anything: before a reload or a restart, as `nginx -t`.
            System.out.println("metalboot: config OK: " + loaded.source());
            return;
        }
        if (rotateApiToken) {
            rotateApiToken(config);
            return;
        }
        configureLogging(config.logLevel().equals("debug") ? java.util.logging.Level.FINE
                : java.util.logging.Level.INFO);

        Appliance appliance;
        try {
            appliance = Appliance.start(config);
        } catch (ConfigException e) {
            System.err.println("metalboot: config error: " + loaded.describe(e));
            System.exit(EXIT_CONFIG);
            return;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "metalboot could not start: " + e.getMessage(), e);
            System.exit(EXIT_START);
            return;
        }

        SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
        ConfigReload reload = new ConfigReload(appliance, configFile, systemd);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.log(Level.INFO, "metalboot stopping");
            reload.stop();
            systemd.stopping("stopping");
            appliance.close();
            stopped.countDown();
        }, "shutdown"));
        HangupSignal.onHangup(reload::request);
        LOG.log(Level.INFO, "metalboot started (config: {0})", loaded.source());
        systemd.ready("serving (config: " + loaded.source() + ")");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final String USAGE = "usage: metalboot [--config FILE] [--check-config | --rotate-api-token]";

    private static void usage(String problem) {
        System.err.println("metalboot: " + problem + "\n" + USAGE);
        System.exit(EXIT_CONFIG);
    }

    /**
     * Replaces the operator API's token in the state directory and exits; a running appliance
     * refuses the old one from its next call. The new token is in the file only (mode 0600),
     * never on the terminal or in a log.
     */
    private static void rotateApiToken(ApplianceConfig config) {
        try {
            ApiToken token = ApiToken.openOrCreate(Path.of(config.stateDir()));
            token.rotate();
            System.out.println("metalboot: a new API token is in " + token.file() + "; the old one is refused");
        } catch (IOException e) {
            System.err.println("metalboot: cannot rotate the API token: " + e.getMessage());
            System.exit(EXIT_START);
        }
    }

    private static void configureLogging(java.util.logging.Level level) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new OneLineLogFormat());
        console.setLevel(level);
        root.addHandler(console);
        root.setLevel(level);
        // log-level: debug is about metalboot's own decisions, not the JDK's or libraries' chatter.
        for (String library : LIBRARY_LOGGERS) {
            Logger logger = Logger.getLogger(library);
            logger.setLevel(java.util.logging.Level.INFO);
            QUIETED.add(logger); // JUL holds loggers weakly: keep them, or the level is forgotten
        }
    }

    private static final List<String> LIBRARY_LOGGERS =
            List.of("java", "javax", "jdk", "sun", "io.netty", "com.fasterxml", "tools.jackson", "io.fabric8", "jnr");
    private static final List<Logger> QUIETED = new ArrayList<>();
}
