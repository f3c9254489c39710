package io.metalboot.appliance.agent;

import io.metalboot.appliance.ApplianceService;
import io.metalboot.appliance.ServiceContext;
import io.metalboot.appliance.ServiceStatus;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * While the appliance runs: looks for agents whose heartbeats stopped, once a second, and forgets
 * machines discovered whose agent never registered once they are older than
 * {@code machines.unregistered-expire-minutes}, once a minute.
 */
public final class AgentWatchService implements ApplianceService {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private final AgentSessions sessions;
    private final MachineRegistry registry;
    private ScheduledExecutorService timer;

    private AgentWatchService(AgentSessions sessions, MachineRegistry registry) {
        this.sessions = sessions;
        this.registry = registry;
    }

    public static Optional<ApplianceService> from(ServiceContext context) {
        return context.config().http().enabled()
                ? Optional.of(new AgentWatchService(context.agents(), context.registry())) : Optional.empty();
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("agent-watch").factory());
        timer.scheduleWithFixedDelay(sessions::checkForLostAgents, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(this::forgetExpiredUnregistered, 1, 60, TimeUnit.SECONDS);
    }

    /** One expiry pass; an error is logged and the next pass tries again (a periodic task must not die). */
    public void forgetExpiredUnregistered() {
        try {
            List<MacAddress> forgotten = registry.forgetExpiredUnregistered();
            if (!forgotten.isEmpty()) {
                LOG.log(Level.INFO, "forgot {0} machines discovered and never registered: {1}",
                        Integer.toString(forgotten.size()), forgotten.size() <= 10 ? forgotten.toString()
                                : forgotten.subList(0, 10) + " ...");
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not forget expired unregistered machines: {0}", e.toString());
        }
    }

    @Override
    public ServiceStatus status() {
        return ServiceStatus.of("agents");
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
