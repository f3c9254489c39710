package io.metalboot.agent.ironic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The command list across Ironic sessions: a new token starts an empty list, as a rebooted IPA's. */
class IpaCommandLogTest {
    @Test
    void aNewSessionListsNoFinishedCommandButTheHistoryKeepsThem() throws Exception {
        IpaCommandLog log = new IpaCommandLog(result -> { }, line -> { });
        log.start("get_clean_steps", false, () -> "steps");
        log.start("execute_clean_step", false, () -> "erased");
        CountDownLatch release = new CountDownLatch(1);
        IpaCommandResult running = log.start("execute_deploy_step", true, () -> {
            release.await();
            return "written";
        });
        assertThrows(IpaCommandLog.BusyException.class, () -> log.start("sync", false, () -> null));
        log.startOver();
        assertEquals(List.of("execute_deploy_step"), log.list().stream().map(IpaCommandResult::commandName).toList(),
                "a command still running stays listed");
        release.countDown();
        assertEquals(IpaCommandResult.Status.SUCCEEDED, log.await(running.id()).status());
        log.startOver();
        assertEquals(List.of(), log.list(), "Ironic sees a freshly booted agent");
        assertEquals(List.of("get_clean_steps", "execute_clean_step", "execute_deploy_step"),
                log.history().stream().map(IpaCommandResult::commandName).toList());
    }
}
