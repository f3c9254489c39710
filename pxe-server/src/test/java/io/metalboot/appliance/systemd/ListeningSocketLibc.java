package io.metalboot.appliance.systemd;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * systemd's side of {@code NOTIFY_SOCKET} for tests: the libc calls that bind an AF_UNIX datagram
 * socket and receive on it, bound on their own (not through the appliance's binding, so that a
 * wrong socket address there cannot be matched by the same mistake here). Public for jnr-ffi.
 */
public interface ListeningSocketLibc {
    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, @In byte[] address, int addressLength);

    /** {@code value} is a {@code struct timeval}: two longs on LP64. */
    @SaveError
    int setsockopt(int fd, int level, int option, @In long[] value, int valueLength);

    @SaveError
    @ssize_t
    long recv(int fd, @Out byte[] buffer, @size_t long length, int flags);

    int close(int fd);

    @SaveError
    int clock_gettime(int clock, @Out long[] timespec);

    String strerror(int errno);
}
