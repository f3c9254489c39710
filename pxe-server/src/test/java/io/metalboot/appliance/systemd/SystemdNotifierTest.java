package io.metalboot.appliance.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifier against a socket bound as systemd binds its own: at a path, and in the abstract namespace. */
class SystemdNotifierTest {
    private static final Pattern MONOTONIC = Pattern.compile("\nMONOTONIC_USEC=(\\d+)\n");

    @Test
    void eachStateIsOneDatagramAtAPath(@TempDir Path dir) {
        try (NotifySocket socket = NotifySocket.bind(dir.resolve("notify").toString())) {
            notifiesEachState(socket);
        }
    }

    @Test
    void eachStateIsOneDatagramInTheAbstractNamespace() {
        try (NotifySocket socket = NotifySocket.bind("@metalboot-notify-test-" + ProcessHandle.current().pid())) {
            notifiesEachState(socket);
        }
    }

    private static void notifiesEachState(NotifySocket socket) {
        SystemdNotifier notifier = SystemdNotifier.of(socket.name());
        notifier.ready("serving\nsecond line");
        assertEquals("READY=1\nSTATUS=serving second line\n", socket.receive(), "a newline would start a variable");

        long before = NotifySocket.monotonicMicros();
        notifier.reloading("reloading");
        String reloading = socket.receive();
        long after = NotifySocket.monotonicMicros();
        assertTrue(reloading.startsWith("RELOADING=1\nSTATUS=reloading\n"), reloading);
        Matcher monotonic = MONOTONIC.matcher(reloading);
        assertTrue(monotonic.find(), reloading);
        long sent = Long.parseLong(monotonic.group(1));
        assertTrue(before <= sent && sent <= after, "CLOCK_MONOTONIC, as systemd reads it: " + before + " <= "
                + sent + " <= " + after);

        notifier.stopping("stopping");
        assertEquals("STOPPING=1\nSTATUS=stopping\n", socket.receive());
    }

    @Test
    void aFailedSendIsLoggedOnceAndStopsNothing(@TempDir Path dir) {
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == Level.WARNING) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("metalboot");
        logger.addHandler(capture);
        try {
            SystemdNotifier unset = SystemdNotifier.of(null);
            unset.ready("serving");
            unset.stopping("stopping");
            assertEquals(List.of(), warnings, "no NOTIFY_SOCKET: nothing to tell, nothing to warn about");

            SystemdNotifier nobodyListens = SystemdNotifier.of(dir.resolve("gone").toString());
            nobodyListens.ready("serving");
            nobodyListens.reloading("reloading");
            nobodyListens.stopping("stopping");
            assertEquals(1, warnings.size(), "once: " + warnings);
            assertTrue(warnings.getFirst().getMessage().contains(dir.resolve("gone") + ": sendto: "),
                    warnings.getFirst().getMessage());

            SystemdNotifier relative = SystemdNotifier.of("run/notify");
            relative.ready("serving");
            assertEquals(2, warnings.size());
            assertTrue(warnings.getLast().getMessage().contains("neither an absolute socket path nor an @abstract name"),
                    warnings.getLast().getMessage());
        } finally {
            logger.removeHandler(capture);
        }
    }
}
