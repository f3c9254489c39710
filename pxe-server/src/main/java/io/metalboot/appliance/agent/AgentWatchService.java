package io.metalboot.appliance.agent;

import io.metalboot.appliance.ApplianceService;
import io.metalboot.appliance.ServiceContext;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Looks for agents whose heartbeats stopped, once a second, while the appliance runs. */
public final class AgentWatchService implements ApplianceService {
    private final AgentSessions sessions;
    private ScheduledExecutorService timer;

    private AgentWatchService(AgentSessions sessions) {
        this.sessions = sessions;
    }

    public static Optional<ApplianceService> from(ServiceContext context) {
        return context.config().http().enabled() ? Optional.of(new AgentWatchService(context.agents()))
                : Optional.empty();
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("agent-watch").factory());
        timer.scheduleWithFixedDelay(sessions::checkForLostAgents, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
