package io.metalboot.appliance.tftp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The waits between resends: the server's own timeout backs off, a client's own is kept. */
class TftpRetransmitWaitTest {
    @Test
    void theServersOwnTimeoutDoublesUpToEightTimes() {
        TftpNegotiation ours = new TftpNegotiation(1468, 1, Duration.ofSeconds(1), Map.of("blksize", "1468"));
        assertEquals(List.of(1L, 2L, 4L, 8L, 8L, 8L), IntStream.rangeClosed(0, 5)
                .mapToObj(retries -> Duration.ofNanos(TftpReadSession.retransmitWaitNanos(ours, retries)).toSeconds())
                .toList());
        // 5 retries at the 1 s default: the transfer is given up after 31 s, past OVMF's 6 × 4 s
        long budget = IntStream.rangeClosed(0, 5).mapToLong(r -> TftpReadSession.retransmitWaitNanos(ours, r)).sum();
        assertEquals(31, Duration.ofNanos(budget).toSeconds());
    }

    @Test
    void aClientsOwnTimeoutIsKept() {
        TftpNegotiation theirs = new TftpNegotiation(512, 1, Duration.ofSeconds(3), Map.of("timeout", "3"));
        for (int retries = 0; retries <= 5; retries++) {
            assertEquals(Duration.ofSeconds(3).toNanos(), TftpReadSession.retransmitWaitNanos(theirs, retries));
        }
    }
}
