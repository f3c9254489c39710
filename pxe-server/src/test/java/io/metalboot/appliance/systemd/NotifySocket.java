package io.metalboot.appliance.systemd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * A stand-in for systemd's notification socket: an AF_UNIX datagram socket bound at a path or,
 * for {@code @name}, in the abstract namespace, whose datagrams a test reads in order.
 */
public final class NotifySocket implements AutoCloseable {
    private static final ListeningSocketLibc C = LibraryLoader.create(ListeningSocketLibc.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(C);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int CLOCK_MONOTONIC = 1;
    /** Generous: a child JVM starting on a loaded machine. */
    private static final int RECEIVE_TIMEOUT_SECONDS = 60;

    private final String name;
    private final int fd;

    private NotifySocket(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** @param name what NOTIFY_SOCKET will say: an absolute path, or {@code @name} */
    public static NotifySocket bind(String name) {
        int fd = C.socket(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket: " + C.strerror(RUNTIME.getLastError()));
        }
        // struct sockaddr_un: the family, then the path and its NUL, or NUL and the abstract name
        // (whose length is the address's, no NUL after it).
        byte[] path = name.substring(name.startsWith("@") ? 1 : 0).getBytes(StandardCharsets.UTF_8);
        ByteBuffer address = ByteBuffer.allocate(2 + 1 + path.length).order(ByteOrder.nativeOrder());
        address.putShort((short) AF_UNIX);
        if (name.startsWith("@")) {
            address.put((byte) 0).put(path);
        } else {
            address.put(path).put((byte) 0);
        }
        long[] timeout = {RECEIVE_TIMEOUT_SECONDS, 0};
        if (C.bind(fd, address.array(), address.capacity()) != 0
                || C.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, Long.BYTES * 2) != 0) {
            String error = C.strerror(RUNTIME.getLastError());
            C.close(fd);
            throw new IllegalStateException("bind " + name + ": " + error);
        }
        return new NotifySocket(name, fd);
    }

    /** The value for NOTIFY_SOCKET. */
    public String name() {
        return name;
    }

    /** The next datagram; fails when none comes within a minute. */
    public String receive() {
        byte[] buffer = new byte[4096];
        long length = C.recv(fd, buffer, buffer.length, 0);
        if (length < 0) {
            throw new AssertionError("nothing on " + name + " within " + RECEIVE_TIMEOUT_SECONDS + " s: "
                    + C.strerror(RUNTIME.getLastError()));
        }
        return new String(Arrays.copyOf(buffer, (int) length), StandardCharsets.UTF_8);
    }

    /** CLOCK_MONOTONIC in microseconds, as systemd reads MONOTONIC_USEC. */
    public static long monotonicMicros() {
        long[] timespec = new long[2];
        if (C.clock_gettime(CLOCK_MONOTONIC, timespec) != 0) {
            throw new IllegalStateException("clock_gettime: " + C.strerror(RUNTIME.getLastError()));
        }
        return timespec[0] * 1_000_000 + timespec[1] / 1_000;
    }

    @Override
    public void close() {
        C.close(fd);
    }
}
