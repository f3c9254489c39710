package io.metalboot.agent.inventory.lldp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * LLDP frames from the machine's interfaces through Linux packet sockets ({@code packet(7)}): one
 * {@code AF_PACKET}/{@code SOCK_RAW} socket per interface, bound to it for ethertype 0x88cc, all
 * waited on together with {@code poll(2)} as IPA's {@code _get_lldp_info} does with select — one
 * thread, no matter how many interfaces (a thread blocked in a native call would pin a virtual
 * thread's carrier anyway). A socket leaves the set at its first frame that decodes; the wait ends
 * when the set is empty or the time is up.
 *
 * <p>Each socket joins the LLDP multicast group 01:80:c2:00:00:0e ({@code PACKET_ADD_MEMBERSHIP}):
 * a NIC with a multicast filter drops that address otherwise. IPA sets the interface promiscuous
 * instead; a membership is the kernel's to drop when the socket closes, so nothing is left to undo
 * if the agent dies. Needs root (CAP_NET_RAW); an interface whose socket cannot be opened is logged
 * and left out.
 */
public final class PacketSocketListener implements LldpListener {
    private static final System.Logger LOG = System.getLogger(PacketSocketListener.class.getName());
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOL_PACKET = 263;
    private static final int PACKET_ADD_MEMBERSHIP = 1;
    private static final int PACKET_MR_MULTICAST = 0;
    private static final int SOCKADDR_LL_SIZE = 20;
    private static final int PACKET_MREQ_SIZE = 16;
    private static final int POLLFD_SIZE = 8;
    private static final short POLLIN = 0x1;
    private static final int EINTR = 4;
    private static final int MSG_DONTWAIT = 0x40;
    /** Room for a jumbo frame: an LLDPDU may be longer than 1500 bytes. */
    private static final int FRAME_BUFFER = 9216;
    private static final byte[] LLDP_MULTICAST = {0x01, (byte) 0x80, (byte) 0xc2, 0x00, 0x00, 0x0e};

    private final Duration wait;

    /** @param wait how long to listen at most; LLDP's default transmit interval is 30 s */
    public PacketSocketListener(Duration wait) {
        this.wait = Objects.requireNonNull(wait, "wait");
        if (wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("a listener listens for some time, not " + wait);
        }
    }

    /** libc, bound at first use: jnr-ffi loads jffi's native library (extracted to java.io.tmpdir) then. */
    private static final class Libc {
        static final PacketSocketLibc C = LibraryLoader.create(PacketSocketLibc.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(C);
    }

    @Override
    public Map<String, List<LldpTlv>> listen(Collection<String> interfaceNames) {
        Map<String, List<LldpTlv>> frames = new LinkedHashMap<>();
        if (interfaceNames.isEmpty()) {
            return frames;
        }
        PacketSocketLibc c = Libc.C;
        List<String> names = new ArrayList<>();
        List<Integer> fds = new ArrayList<>();
        try {
            for (String name : interfaceNames) {
                try {
                    fds.add(open(c, name));
                    names.add(name);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "LLDP: not listening on " + name + ": " + e.getMessage());
                }
            }
            long deadline = System.nanoTime() + wait.toNanos();
            byte[] frame = new byte[FRAME_BUFFER];
            while (!fds.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                byte[] pollfds = pollfds(fds);
                int ready = c.poll(pollfds, fds.size(), (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
                if (ready < 0) {
                    int errno = Libc.RUNTIME.getLastError();
                    if (errno == EINTR) {
                        continue;
                    }
                    LOG.log(Level.WARNING, "LLDP: poll: " + c.strerror(errno));
                    break;
                }
                ByteBuffer revents = ByteBuffer.wrap(pollfds).order(ByteOrder.nativeOrder());
                for (int i = fds.size() - 1; i >= 0; i--) {
                    short events = revents.getShort(i * POLLFD_SIZE + 6);
                    if (events == 0) {
                        continue;
                    }
                    List<LldpTlv> tlvs = (events & POLLIN) != 0 ? receive(c, fds.get(i), names.get(i), frame) : null;
                    if (tlvs != null || (events & POLLIN) == 0) { // a frame, or POLLERR/POLLHUP/POLLNVAL: done with it
                        if (tlvs != null) {
                            frames.put(names.get(i), tlvs);
                        }
                        c.close(fds.remove(i));
                        names.remove(i);
                    }
                }
            }
        } finally {
            fds.forEach(c::close);
        }
        return frames;
    }

    /** A socket bound to the interface for LLDP's ethertype, in LLDP's multicast group. */
    private static int open(PacketSocketLibc c, String name) throws IOException {
        int index = c.if_nametoindex(name);
        if (index == 0) {
            throw new IOException("no such interface (" + c.strerror(Libc.RUNTIME.getLastError()) + ")");
        }
        // Protocol 0: the socket hears nothing until bind gives it one interface and LLDP's ethertype.
        int fd = c.socket(AF_PACKET, SOCK_RAW, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_PACKET, SOCK_RAW): " + c.strerror(Libc.RUNTIME.getLastError()));
        }
        try {
            ByteBuffer mreq = ByteBuffer.allocate(PACKET_MREQ_SIZE).order(ByteOrder.nativeOrder());
            mreq.putInt(index).putShort((short) PACKET_MR_MULTICAST).putShort((short) LLDP_MULTICAST.length)
                    .put(LLDP_MULTICAST);
            if (c.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq.array(), PACKET_MREQ_SIZE) != 0) {
                throw new IOException("PACKET_ADD_MEMBERSHIP 01:80:c2:00:00:0e: "
                        + c.strerror(Libc.RUNTIME.getLastError()));
            }
            ByteBuffer address = ByteBuffer.allocate(SOCKADDR_LL_SIZE).order(ByteOrder.nativeOrder());
            address.putShort((short) AF_PACKET)
                    .order(ByteOrder.BIG_ENDIAN).putShort((short) LldpFrameDecoder.ETHERTYPE_LLDP) // htons
                    .order(ByteOrder.nativeOrder()).putInt(index); // hatype, pkttype, halen, addr: zero
            if (c.bind(fd, address.array(), SOCKADDR_LL_SIZE) != 0) {
                throw new IOException("bind: " + c.strerror(Libc.RUNTIME.getLastError()));
            }
            return fd;
        } catch (IOException e) {
            c.close(fd);
            throw e;
        }
    }

    /** The frame waiting on the socket, decoded; null when it is no LLDPDU (logged) or was gone. */
    private static List<LldpTlv> receive(PacketSocketLibc c, int fd, String name, byte[] frame) {
        long length = c.recv(fd, frame, frame.length, MSG_DONTWAIT);
        if (length <= 0) {
            return null;
        }
        try {
            return LldpFrameDecoder.decode(Arrays.copyOf(frame, (int) length));
        } catch (LldpFormatException e) {
            LOG.log(Level.WARNING, "LLDP: a frame on " + name + " is left out: " + e.getMessage());
            return null;
        }
    }

    private static byte[] pollfds(List<Integer> fds) {
        ByteBuffer pollfds = ByteBuffer.allocate(fds.size() * POLLFD_SIZE).order(ByteOrder.nativeOrder());
        for (int fd : fds) {
            pollfds.putInt(fd).putShort(POLLIN).putShort((short) 0);
        }
        return pollfds.array();
    }
}
