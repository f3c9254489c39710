package io.metalboot.appliance.systemd;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Tells systemd ({@code Type=notify}) how the appliance is doing, as {@code sd_notify(3)} does:
 * one datagram per state on the {@code AF_UNIX}/{@code SOCK_DGRAM} socket named by
 * {@code NOTIFY_SOCKET} (a path, or {@code @name} in the abstract namespace). Without
 * {@code NOTIFY_SOCKET} (not run by systemd) it does nothing. A notification that cannot be sent
 * is logged once, at WARNING, and never stops the appliance: systemd then times the start out,
 * which says more than an appliance that refused to run.
 */
public final class SystemdNotifier {
    private static final System.Logger LOG = System.getLogger("metalboot");
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** No SIGPIPE if the socket's peer is gone. */
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int CLOCK_MONOTONIC = 1;
    /** {@code sizeof(sun_path)} on Linux. */
    private static final int SUN_PATH_SIZE = 108;

    private final String notifySocket;
    private final AtomicBoolean warned = new AtomicBoolean();

    private SystemdNotifier(String notifySocket) {
        this.notifySocket = notifySocket;
    }

    /** The notifier for this process: {@code NOTIFY_SOCKET}'s, or one that does nothing. */
    public static SystemdNotifier fromEnvironment() {
        return of(System.getenv("NOTIFY_SOCKET"));
    }

    /** @param notifySocket a socket path, {@code @name}, or null (or empty) for none */
    static SystemdNotifier of(String notifySocket) {
        return new SystemdNotifier(notifySocket == null || notifySocket.isEmpty() ? null : notifySocket);
    }

    /** Every service has started (or a reload is over): {@code READY=1}. */
    public void ready(String status) {
        send(() -> "READY=1\nSTATUS=" + oneLine(status) + "\n");
    }

    /**
     * A reload begins: {@code RELOADING=1}, with the monotonic time systemd's
     * {@code Type=notify-reload} matches to its SIGHUP; {@link #ready} ends it.
     */
    public void reloading(String status) {
        send(() -> "RELOADING=1\nSTATUS=" + oneLine(status) + "\nMONOTONIC_USEC=" + Libc.monotonicMicros() + "\n");
    }

    /** The appliance begins to stop: {@code STOPPING=1}. */
    public void stopping(String status) {
        send(() -> "STOPPING=1\nSTATUS=" + oneLine(status) + "\n");
    }

    /** A newline would end the variable: the rest of the status would be read as another one. */
    private static String oneLine(String status) {
        return status.replaceAll("[\\r\\n]+", " ");
    }

    /** The message is made only when there is a socket to send it to: nothing loads libc otherwise. */
    private void send(Supplier<String> message) {
        if (notifySocket == null) {
            return;
        }
        try {
            Libc.send(address(notifySocket), message.get().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException | LinkageError e) { // LinkageError: no jffi native library
            if (!warned.getAndSet(true)) {
                LOG.log(Level.WARNING, "cannot notify systemd through NOTIFY_SOCKET " + notifySocket + ": "
                        + e.getMessage() + " (later failures are not logged)");
            }
        }
    }

    /** {@code struct sockaddr_un} for the socket: a path ends in NUL, an abstract name starts with one. */
    static byte[] address(String notifySocket) throws IOException {
        byte[] name = notifySocket.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name[0] == '@';
        if (abstractName) {
            name[0] = 0;
        } else if (name[0] != '/') {
            throw new IOException("neither an absolute socket path nor an @abstract name");
        }
        int length = name.length + (abstractName ? 0 : 1);
        if (length > SUN_PATH_SIZE) {
            throw new IOException("longer than a socket address holds (" + SUN_PATH_SIZE + " bytes)");
        }
        // An abstract name is exactly as long as the address length says: no NUL after it.
        return ByteBuffer.allocate(Short.BYTES + length).order(ByteOrder.nativeOrder())
                .putShort((short) AF_UNIX).put(name).array();
    }

    /** libc, bound at first use: only a process run by systemd loads jffi's native library for this. */
    private static final class Libc {
        static final NotifySocketLibc C = LibraryLoader.create(NotifySocketLibc.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(C);

        static void send(byte[] address, byte[] message) throws IOException {
            int fd = C.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("socket(AF_UNIX, SOCK_DGRAM): " + C.strerror(RUNTIME.getLastError()));
            }
            try {
                if (C.sendto(fd, message, message.length, MSG_NOSIGNAL, address, address.length) < 0) {
                    throw new IOException("sendto: " + C.strerror(RUNTIME.getLastError()));
                }
            } finally {
                C.close(fd);
            }
        }

        static long monotonicMicros() {
            long[] timespec = new long[2];
            if (C.clock_gettime(CLOCK_MONOTONIC, timespec) != 0) {
                throw new IllegalStateException("clock_gettime(CLOCK_MONOTONIC): " + C.strerror(RUNTIME.getLastError()));
            }
            return timespec[0] * 1_000_000 + timespec[1] / 1_000;
        }
    }
}
