package io.metalboot.dhcp.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Ties a socket to one network interface with {@code SO_BINDTODEVICE}. A DHCP server must bind
 * 0.0.0.0 to receive broadcasts; this is how it still hears (and answers) one interface only.
 * Neither the JDK nor Netty's epoll transport exposes the option, so it is set on the channel's
 * file descriptor through jnr-posix.
 */
final class InterfaceBinding {
    private static final int SOL_SOCKET = 1;
    private static final int SO_BINDTODEVICE = 25;
    private static final int IFNAMSIZ = 16;

    private InterfaceBinding() {
    }

    static void bindToDevice(int fd, String interfaceName) throws IOException {
        byte[] name = interfaceName.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            throw new IOException("not an interface name: '" + interfaceName + "'");
        }
        ByteBuffer value = ByteBuffer.allocateDirect(name.length + 1);
        value.put(name).put((byte) 0).flip();
        POSIX posix = POSIXFactory.getNativePOSIX();
        if (posix.libc().setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, value, name.length + 1) != 0) {
            int errno = posix.errno();
            throw new IOException("SO_BINDTODEVICE " + interfaceName + ": " + posix.strerror(errno));
        }
    }
}
