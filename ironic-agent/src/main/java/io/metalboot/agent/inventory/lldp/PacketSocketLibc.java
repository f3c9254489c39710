package io.metalboot.agent.inventory.lldp;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls a packet socket needs, bound by jnr-ffi (the JDK has no raw sockets). Structures
 * are passed as byte arrays laid out by {@link PacketSocketListener} in the machine's byte order.
 * Public only because jnr-ffi implements it from another class loader's view.
 */
public interface PacketSocketLibc {
    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, @In byte[] address, int addressLength);

    @SaveError
    int setsockopt(int fd, int level, int option, @In byte[] value, int valueLength);

    /** {@code fds} is an array of {@code struct pollfd}, 8 bytes each; nfds_t is an unsigned long. */
    @SaveError
    int poll(@In @Out byte[] fds, @size_t long count, int timeoutMillis);

    @SaveError
    @ssize_t
    long recv(int fd, @Out byte[] buffer, @size_t long length, int flags);

    int close(int fd);

    /** 0 when there is no such interface. */
    @SaveError
    int if_nametoindex(String name);

    String strerror(int errno);
}
