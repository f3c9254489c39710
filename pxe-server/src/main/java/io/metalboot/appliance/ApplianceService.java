package io.metalboot.appliance;

import java.io.IOException;

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

    /** Stops it and logs what it counted. Never throws: stopping goes on with the next service. */
    @Override
    void close();
}
