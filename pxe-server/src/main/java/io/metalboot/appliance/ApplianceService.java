package io.metalboot.appliance;

import io.metalboot.appliance.config.ApplianceConfig;
import java.io.IOException;
import java.util.List;

/**
 * One of the appliance's services (ProxyDHCP, TFTP, HTTP; later the image service and the agent
 * API), in the one lifecycle {@link Appliance} runs them by: started in order, stopped in reverse,
 * and a failed start stops those already started. Each service class has one static
 * {@code from(ServiceContext)} that turns the config into its settings, or into nothing when the
 * service is disabled.
 */
public interface ApplianceService extends AutoCloseable {
    /** Binds its sockets; on failure nothing of it stays bound. */
    void start() throws IOException;

    /**
     * Applies the reloadable keys of {@code config} that this service reads
     * ({@link ApplianceConfig#RELOADABLE}; every other key holds the value the service started
     * with), each piece at once: a request in flight sees the old piece or the new one, never
     * half. Says, per piece, what it holds now or why it stayed as it was. Default: nothing of this
     * service reloads.
     */
    default List<ReloadedPiece> reload(ApplianceConfig config) {
        return List.of();
    }

    /** What the status endpoint shows of it: its name and, once started, the sockets it listens on. */
    ServiceStatus status();

    /** Stops it and logs what it counted. Never throws: stopping goes on with the next service. */
    @Override
    void close();
}
