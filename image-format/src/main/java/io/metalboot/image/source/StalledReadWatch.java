package io.metalboot.image.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A read timeout for response bodies. The JDK's HttpClient times out only the wait for headers;
 * a server that stops sending mid-body would block a read for ever. A guarded stream whose read
 * waits longer than the limit is closed from a timer thread, and that read ends in a
 * {@link SocketTimeoutException}, which the resuming stream treats as a broken connection.
 */
final class StalledReadWatch {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(run -> {
        Thread thread = new Thread(run, "http-image-stall-watch");
        thread.setDaemon(true);
        return thread;
    });

    private final Duration limit;
    private final String what;

    StalledReadWatch(Duration limit, String what) {
        this.limit = limit;
        this.what = what;
    }

    InputStream guard(InputStream in) {
        return new Guarded(in);
    }

    /** Every read goes through {@link #read(byte[], int, int)}, skips included (InputStream's defaults). */
    private final class Guarded extends InputStream {
        private final InputStream in;
        private volatile long readingSince; // 0 while no read waits
        private volatile boolean stalled;
        private final ScheduledFuture<?> check;

        Guarded(InputStream in) {
            this.in = in;
            long period = Math.max(10, limit.toMillis() / 4);
            check = TIMER.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        private void check() {
            long since = readingSince;
            if (since != 0 && System.nanoTime() - since > limit.toNanos() && !stalled) {
                stalled = true;
                try {
                    in.close(); // wakes the waiting read
                } catch (IOException | RuntimeException ignored) {
                    // the read is ended either way
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (stalled) {
                throw stall(null);
            }
            readingSince = System.nanoTime();
            try {
                int n = in.read(b, off, len);
                if (stalled) {
                    throw stall(null);
                }
                return n;
            } catch (IOException e) {
                throw stalled ? stall(e) : e;
            } finally {
                readingSince = 0;
            }
        }

        private SocketTimeoutException stall(IOException cause) {
            SocketTimeoutException e = new SocketTimeoutException(what + " sent no byte for " + limit.toMillis() + " ms");
            if (cause != null) {
                e.initCause(cause);
            }
            return e;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            check.cancel(false);
            in.close();
        }
    }
}
