package io.metalboot.appliance.systemd;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls sd_notify needs and the JDK does not offer (it has no AF_UNIX datagram sockets),
 * bound through jnr-ffi as the agent's are. The socket address is a {@code struct sockaddr_un}
 * laid out by {@link SystemdNotifier}. Public only because jnr-ffi implements it from another
 * class loader's view.
 */
public interface NotifySocketLibc {
    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    @ssize_t
    long sendto(int fd, @In byte[] message, @size_t long length, int flags, @In byte[] address, int addressLength);

    int close(int fd);

    /** {@code timespec} is {@code struct timespec}: two longs (seconds, nanoseconds) on LP64. */
    @SaveError
    int clock_gettime(int clock, @Out long[] timespec);

    String strerror(int errno);
}
