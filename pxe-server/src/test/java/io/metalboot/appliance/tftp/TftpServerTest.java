package io.metalboot.appliance.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.appliance.tftp.codec.TftpDecodeException;
import io.metalboot.appliance.tftp.codec.TftpPacketCodec;
import io.metalboot.appliance.tftp.model.Ack;
import io.metalboot.appliance.tftp.model.DataBlock;
import io.metalboot.appliance.tftp.model.ErrorCode;
import io.metalboot.appliance.tftp.model.ErrorPacket;
import io.metalboot.appliance.tftp.model.OptionAck;
import io.metalboot.appliance.tftp.model.ReadRequest;
import io.metalboot.appliance.tftp.model.TftpPacket;
import io.metalboot.appliance.tftp.model.WriteRequest;
import io.metalboot.appliance.tftp.server.TftpCounters;
import io.metalboot.appliance.tftp.server.TftpOutcome;
import io.metalboot.appliance.tftp.server.TftpServer;
import io.metalboot.appliance.tftp.server.TftpSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server in this JVM on 127.0.0.1:0, driven by a raw UDP client: every protocol case. */
class TftpServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final TftpCounters counters = new TftpCounters();
    private TftpServer server;

    private Path root() throws IOException {
        return Files.createDirectories(dir.resolve("root"));
    }

    private InetSocketAddress start(TftpSettings settings) throws IOException {
        server = new TftpServer(settings, counters);
        server.start();
        return server.localAddress();
    }

    private TftpSettings settings() throws IOException {
        return TftpSettings.defaults(InetAddress.getLoopbackAddress(), 0, root()).withLimits(65464, 64, 1000);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, String> options(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /**
     * Waits (bounded) until {@code value} is {@code expected}: counters move after the last send,
     * and a transfer leaves the running count only when its port has closed.
     */
    private static void awaitCount(long expected, LongSupplier value) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (value.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, value.getAsLong());
    }

    @Test
    void servesFilesOfEverySizeByteIdenticalWithoutOptions() throws Exception {
        InetSocketAddress address = start(settings());
        for (long size : new long[] {0, 1, 511, 512, 513, 1024, 512 * 7, 100_003}) {
            Path file = TftpTestFiles.random(root(), "f" + size, size, size);
            try (RawTftpClient client = new RawTftpClient(address)) {
                RawTftpClient.Download download = client.fetch("f" + size, Map.of());
                assertArrayEquals(Files.readAllBytes(file), download.content(), "size " + size);
                assertEquals(size / 512 + 1, download.blocks().size(), "a last short (maybe empty) block");
                assertNull(download.oack());
            }
        }
        awaitCount(8, () -> counters.count(TftpOutcome.SERVED));
    }

    @Test
    void eachOptionIsAnsweredInTheOack() throws Exception {
        InetSocketAddress address = start(settings().withLimits(1468, 64, 1000));
        Path file = TftpTestFiles.random(root(), "ipxe.efi", 70_000, 7);
        byte[] expected = Files.readAllBytes(file);
        record Case(Map<String, String> asked, Map<String, String> answered) {
        }
        List<Case> cases = List.of(
                new Case(options("blksize", "1468"), options("blksize", "1468")),
                new Case(options("blksize", "9000"), options("blksize", "1468")),
                new Case(options("blksize", "1024"), options("blksize", "1024")),
                new Case(options("tsize", "0"), options("tsize", "70000")),
                new Case(options("timeout", "3"), options("timeout", "3")),
                new Case(options("windowsize", "16"), options("windowsize", "16")),
                new Case(options("windowsize", "1000"), options("windowsize", "64")),
                new Case(options("BLKSIZE", "1400", "TSize", "0", "multicast", "", "windowsize", "8"),
                        options("BLKSIZE", "1400", "TSize", "70000", "windowsize", "8")),
                new Case(options("tsize", "0", "blksize", "4", "timeout", "0", "windowsize", "x"),
                        options("tsize", "70000")));
        for (Case c : cases) {
            try (RawTftpClient client = new RawTftpClient(address)) {
                RawTftpClient.Download download = client.fetch("ipxe.efi", c.asked());
                assertEquals(c.answered(), download.oack().options(), c.asked().toString());
                assertEquals(List.copyOf(c.answered().keySet()), List.copyOf(download.oack().options().keySet()),
                        "client order");
                assertArrayEquals(expected, download.content(), c.asked().toString());
            }
        }
        // Only unknown or unusable options: no OACK at all, DATA 1 straight away.
        try (RawTftpClient client = new RawTftpClient(address)) {
            RawTftpClient.Download download = client.fetch("ipxe.efi", options("blksize", "7", "foo", "bar"));
            assertNull(download.oack());
            assertArrayEquals(expected, download.content());
        }
    }

    @Test
    void oackRefusedWithError8EndsTheTransferQuietly() throws Exception {
        // No copy of the OACK is due while the test runs: anything more on our socket is wrong.
        InetSocketAddress address = start(settings().withRetransmission(Duration.ofSeconds(30), 5));
        TftpTestFiles.random(root(), "snponly.efi", 5000, 1);
        try (RawTftpClient client = new RawTftpClient(address)) {
            client.send(new ReadRequest("snponly.efi", "octet", options("tsize", "0", "blksize", "1468")));
            RawTftpClient.Received oack = client.expect(WAIT);
            assertEquals(options("tsize", "5000", "blksize", "1468"),
                    assertInstanceOf(OptionAck.class, oack.packet()).options());
            client.send(new ErrorPacket(ErrorCode.OPTION_REFUSED, "OVMF learns the size"), oack.from());
            awaitCount(1, () -> counters.count(TftpOutcome.CLIENT_ABORTED));
            // Its port is closed: it can send nothing more, ever, and what it sent is queued here.
            // No ERROR answered our ERROR, no OACK came again.
            awaitCount(0, server::activeTransfers);
            assertEquals(List.of(), client.queued());
        }
        assertEquals(0, counters.count(TftpOutcome.FAILED) + counters.count(TftpOutcome.TIMED_OUT));
    }

    @Test
    void blockNumbersWrapToZeroAfter65535() throws Exception {
        InetSocketAddress address = start(settings());
        long size = 40L * 1024 * 1024;
        Path file = TftpTestFiles.random(root(), "big.img", size, 40);
        try (RawTftpClient client = new RawTftpClient(address)) {
            RawTftpClient.Download download = client.fetch("big.img", Map.of());
            assertArrayEquals(Files.readAllBytes(file), download.content());
            List<Integer> blocks = download.blocks();
            assertEquals(size / 512 + 1, blocks.size());
            assertEquals(65535, blocks.get(65534));
            assertEquals(0, blocks.get(65535), "after 65535 comes 0");
            assertEquals(1, blocks.get(65536));
        }
    }

    @Test
    void aLostAckMakesTheServerRetransmitAfterTheNegotiatedTimeout() throws Exception {
        InetSocketAddress address = start(settings().withRetransmission(Duration.ofSeconds(30), 5));
        TftpTestFiles.random(root(), "f", 2000, 2);
        try (RawTftpClient client = new RawTftpClient(address)) {
            client.send(new ReadRequest("f", "octet", options("timeout", "1")));
            RawTftpClient.Received oack = client.expect(WAIT);
            assertInstanceOf(OptionAck.class, oack.packet());
            client.send(new Ack(0), oack.from());
            DataBlock first = assertInstanceOf(DataBlock.class, client.expect(WAIT).packet());
            assertEquals(1, first.block());
            // Our ACK of block 1 is "lost": the server sends block 1 again, after its 1 s timeout.
            RawTftpClient.Received again = client.expect(WAIT);
            assertEquals(first, again.packet());
            assertEquals(oack.from(), again.from());
            client.send(new Ack(1), oack.from());
            assertEquals(2, assertInstanceOf(DataBlock.class, client.expect(WAIT).packet()).block());
        }
    }

    @Test
    void aClientThatGoesSilentTimesOutAfterTheRetries() throws Exception {
        InetSocketAddress address = start(settings().withRetransmission(Duration.ofMillis(50), 3));
        TftpTestFiles.random(root(), "f", 2000, 2);
        try (RawTftpClient client = new RawTftpClient(address)) {
            client.send(new ReadRequest("f", "octet"));
            awaitCount(1, () -> counters.count(TftpOutcome.TIMED_OUT));
            // The transfer's port is closed: every copy it sent is queued here, and no more can come.
            awaitCount(0, server::activeTransfers);
            List<RawTftpClient.Received> copies = client.queued();
            assertEquals(4, copies.size(), "the first send and 3 retries: " + copies);
            for (RawTftpClient.Received copy : copies) {
                assertEquals(1, assertInstanceOf(DataBlock.class, copy.packet()).block());
                assertEquals(copies.getFirst().from(), copy.from());
            }
        }
    }

    @Test
    void duplicateAcksNeverDoubleTheTraffic() throws Exception {
        InetSocketAddress address = start(settings().withRetransmission(Duration.ofSeconds(30), 5));
        int blocks = 40;
        Path file = TftpTestFiles.random(root(), "f", 512L * (blocks - 1) + 100, 3);
        try (RawTftpClient client = new RawTftpClient(address)) {
            client.send(new ReadRequest("f", "octet"));
            int dataPackets = 0;
            java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
            int expected = 1;
            while (expected <= blocks) {
                RawTftpClient.Received received = client.expect(WAIT);
                DataBlock data = assertInstanceOf(DataBlock.class, received.packet());
                dataPackets++;
                if (data.block() == expected) {
                    content.write(data.bytes());
                    expected++;
                }
                // Every ACK twice, like a client whose ACKs are duplicated on the way.
                client.send(new Ack(data.block()), received.from());
                client.send(new Ack(data.block()), received.from());
            }
            awaitCount(1, () -> counters.count(TftpOutcome.SERVED));
            // Its port is closed: every DATA it sent is counted, those read and those still queued.
            awaitCount(0, server::activeTransfers);
            for (RawTftpClient.Received late : client.queued()) {
                assertInstanceOf(DataBlock.class, late.packet());
                dataPackets++;
            }
            assertEquals(blocks, dataPackets, "one DATA per block, not one per ACK");
            assertArrayEquals(Files.readAllBytes(file), content.toByteArray());
        }
    }

    @Test
    void anAckInsideTheWindowResendsFromTheNextBlockOnce() throws Exception {
        InetSocketAddress address = start(settings().withRetransmission(Duration.ofSeconds(30), 5));
        Path file = TftpTestFiles.random(root(), "f", 512 * 10 + 7, 4);
        byte[] expected = Files.readAllBytes(file);
        try (RawTftpClient client = new RawTftpClient(address)) {
            client.send(new ReadRequest("f", "octet", options("windowsize", "4")));
            RawTftpClient.Received oack = client.expect(WAIT);
            InetSocketAddress tid = oack.from();
            client.send(new Ack(0), tid);
            List<Integer> window = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                window.add(((DataBlock) client.expect(WAIT).packet()).block());
            }
            assertEquals(List.of(1, 2, 3, 4), window);
            // "Block 3 was lost": ACK 2, twice. The window is sent again from 3, once.
            client.send(new Ack(2), tid);
            client.send(new Ack(2), tid);
            List<Integer> resent = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                resent.add(((DataBlock) client.expect(WAIT).packet()).block());
            }
            assertEquals(List.of(3, 4, 5, 6), resent);
            // "Once": the server reads our ACKs in the order sent, on one thread, and its DATA
            // reach us in the order sent, so a second resend for the second ACK 2 would come
            // before block 7 below.
            client.send(new Ack(6), tid);
            for (int i = 7; i <= 10; i++) {
                assertEquals(i, ((DataBlock) client.expect(WAIT).packet()).block());
            }
            client.send(new Ack(10), tid);
            DataBlock last = (DataBlock) client.expect(WAIT).packet();
            assertEquals(11, last.block());
            assertEquals(7, last.length());
            assertArrayEquals(java.util.Arrays.copyOfRange(expected, 5120, 5127), last.bytes());
            client.send(new Ack(11), tid);
            awaitCount(1, () -> counters.count(TftpOutcome.SERVED));
            // Its port is closed: nothing else was sent during the whole transfer.
            awaitCount(0, server::activeTransfers);
            assertEquals(List.of(), client.queued());
        }
    }

    @Test
    void aWriteRequestIsRefusedAndCreatesNothing() throws Exception {
        InetSocketAddress address = start(settings());
        try (RawTftpClient client = new RawTftpClient(address)) {
            client.send(new WriteRequest("upload.bin", "octet", Map.of()));
            ErrorPacket error = assertInstanceOf(ErrorPacket.class, client.expect(WAIT).packet());
            assertEquals(ErrorCode.ACCESS_VIOLATION, error.errorCode());
            // Counted once answered: the server is done with the request. Nothing else came: no
            // transfer port opened, no ACK 0 to start a write.
            awaitCount(1, () -> counters.count(TftpOutcome.REFUSED));
            assertEquals(0, server.activeTransfers());
            assertEquals(List.of(), client.queued());
        }
        try (var listing = Files.list(root())) {
            assertEquals(0, listing.count());
        }
    }

    @Test
    void garbageOnTheRequestPortIsDroppedAndServiceGoesOn() throws Exception {
        InetSocketAddress address = start(settings());
        Path file = TftpTestFiles.random(root(), "f", 3000, 5);
        try (RawTftpClient client = new RawTftpClient(address)) {
            java.util.Random random = new java.util.Random(9);
            int wellFormed = 0;
            for (int i = 0; i < 200; i++) {
                byte[] garbage = new byte[random.nextInt(600)];
                random.nextBytes(garbage);
                if (garbage.length >= 2 && (garbage[0] == 0 && garbage[1] >= 1 && garbage[1] <= 2)) {
                    garbage[0] = 1; // never a real request
                }
                client.sendRaw(garbage, address);
                wellFormed += decodes(garbage) ? 1 : 0;
                if ((i + 1) % 20 == 0) {
                    // 20 at a time: a burst of 200 can overflow the socket buffer of a server not
                    // yet warm, and the kernel drops what does not fit, uncounted.
                    long handled = i + 1;
                    awaitCount(handled, () -> counters.malformedCount() + counters.strayCount());
                }
            }
            client.sendRaw(new byte[] {0, 4, 0, 1}, address); // a stray ACK
            client.sendRaw(new byte[] {0, 1, 'f'}, address); // an unterminated request
            // Each one dropped (malformed) or ignored (random bytes that happen to be an ACK, DATA,
            // ERROR or OACK: stray), and counted once handled: none was answered.
            awaitCount(202, () -> counters.malformedCount() + counters.strayCount());
            assertEquals(wellFormed + 1, counters.strayCount());
            assertEquals(List.of(), client.queued());
            assertArrayEquals(Files.readAllBytes(file), client.fetch("f", Map.of()).content());
        }
    }

    private static boolean decodes(byte[] datagram) {
        try {
            TftpPacketCodec.decode(datagram);
            return true;
        } catch (TftpDecodeException e) {
            return false;
        }
    }

    @Test
    void packetsOfNoTransferOnTheRequestPortAreNotAnswered() throws Exception {
        InetSocketAddress address = start(settings());
        List<TftpPacket> stray = List.of(new Ack(0), new Ack(1), DataBlock.of(1, new byte[10]),
                new ErrorPacket(ErrorCode.UNKNOWN_TID, "no such transfer"), new OptionAck(options("blksize", "1468")));
        try (RawTftpClient client = new RawTftpClient(address)) {
            for (TftpPacket packet : stray) {
                client.send(packet);
            }
            // Counted once handled: an answer to any of them would be queued here by then.
            awaitCount(stray.size(), counters::strayCount);
            assertEquals(List.of(), client.queued());
        }
        assertEquals(0, server.activeTransfers());
        // As the appliance logs it at stop ("tftp counters ...").
        assertEquals("served=0 not-found=0 refused=0 timed-out=0 client-aborted=0 busy=0 failed=0 bytes=0"
                + " malformed=0 stray=5 unknown-tid=0", counters.toString());
    }

    @Test
    void hostileNamesGetAnErrorAndNothingFromOutsideTheRoot() throws Exception {
        Path root = root();
        Files.writeString(dir.resolve("secret"), "top secret");
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("x"), "outside");
        Files.createSymbolicLink(root.resolve("passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("outlink"), outside);
        Files.createSymbolicLink(root.resolve("secret"), Path.of("../secret"));
        Files.createDirectories(root.resolve("dir"));
        InetSocketAddress address = start(settings());
        List<String> names = List.of("../etc/passwd", "/etc/passwd", "a/../../x", "..\\x", "%2e%2e/x", "",
                "x".repeat(300), "passwd", "/passwd", "outlink/x", "secret", "../secret", "dir", "/",
                "..", "../outside/x", "nonexistent");
        for (String name : names) {
            try (RawTftpClient client = new RawTftpClient(address)) {
                client.send(new ReadRequest(name, "octet", options("tsize", "0")));
                RawTftpClient.Received answer = client.expect(WAIT);
                ErrorPacket error = assertInstanceOf(ErrorPacket.class, answer.packet(), "'" + name + "'");
                assertTrue(error.code() == 1 || error.code() == 2, name + ": " + error);
            }
        }
        assertEquals(names.size(), counters.count(TftpOutcome.REFUSED) + counters.count(TftpOutcome.NOT_FOUND));
        assertEquals(0, counters.bytesServed());
    }

    @Test
    void aStrangerOnTheTransferPortGetsError5AndTheTransferGoesOn() throws Exception {
        InetSocketAddress address = start(settings().withRetransmission(Duration.ofSeconds(30), 5));
        Path file = TftpTestFiles.random(root(), "f", 1500, 6);
        byte[] expected = Files.readAllBytes(file);
        try (RawTftpClient client = new RawTftpClient(address); RawTftpClient stranger = new RawTftpClient(address)) {
            client.send(new ReadRequest("f", "octet"));
            RawTftpClient.Received first = client.expect(WAIT);
            assertEquals(1, ((DataBlock) first.packet()).block());
            assertNotEquals(address.getPort(), first.from().getPort(), "a new port per transfer");
            // The stranger's ACK 1, twice: the transfer handles one datagram at a time, so once the
            // second is answered and counted, all the first made it do is done.
            for (int i = 1; i <= 2; i++) {
                stranger.send(new Ack(1), first.from());
                ErrorPacket error = assertInstanceOf(ErrorPacket.class, stranger.expect(WAIT).packet());
                assertEquals(ErrorCode.UNKNOWN_TID, error.errorCode());
            }
            awaitCount(2, counters::unknownTidCount);
            // They did not move the transfer: no block 2 for the client before its own ACK.
            assertEquals(List.of(), client.queued());
            java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
            content.write(((DataBlock) first.packet()).bytes());
            for (int block = 1; block <= 2; block++) {
                client.send(new Ack(block), first.from());
                content.write(((DataBlock) client.expect(WAIT).packet()).bytes());
            }
            client.send(new Ack(3), first.from());
            assertArrayEquals(expected, content.toByteArray());
        }
        awaitCount(1, () -> counters.count(TftpOutcome.SERVED));
        assertEquals(2, counters.unknownTidCount());
    }

    @Test
    void netasciiConvertsLineEndsAndTsizeCountsTheConvertedBytes() throws Exception {
        InetSocketAddress address = start(settings());
        Files.writeString(root().resolve("boot.ipxe"), "#!ipxe\nchain x\rend\n");
        try (RawTftpClient client = new RawTftpClient(address)) {
            client.send(new ReadRequest("boot.ipxe", "netascii", options("tsize", "0")));
            RawTftpClient.Received oack = client.expect(WAIT);
            String converted = "#!ipxe\r\nchain x\r\0end\r\n";
            assertEquals(Map.of("tsize", Integer.toString(converted.length())),
                    ((OptionAck) oack.packet()).options());
            client.send(new Ack(0), oack.from());
            DataBlock data = (DataBlock) client.expect(WAIT).packet();
            assertEquals(converted, new String(data.bytes(), StandardCharsets.ISO_8859_1));
            client.send(new Ack(1), oack.from());
        }
        try (RawTftpClient client = new RawTftpClient(address)) {
            client.send(new ReadRequest("boot.ipxe", "mail"));
            assertEquals(ErrorCode.ILLEGAL_OPERATION,
                    ((ErrorPacket) client.expect(WAIT).packet()).errorCode());
        }
    }

    @Test
    void aliasesServeTheMappedFile() throws Exception {
        Path file = TftpTestFiles.random(root(), "snponly.efi", 4000, 8);
        InetSocketAddress address = start(settings().withAliases(Map.of("autoexec.ipxe", "snponly.efi",
                "pxelinux.cfg/", "snponly.efi")));
        for (String name : List.of("/autoexec.ipxe", "pxelinux.cfg/01-52-54-00-12-34-56")) {
            try (RawTftpClient client = new RawTftpClient(address)) {
                assertArrayEquals(Files.readAllBytes(file), client.fetch(name, Map.of()).content(), name);
            }
        }
    }

    @Test
    void onTheWildcardAddressATransferAnswersFromTheAddressItsRequestCameTo() throws Exception {
        Assumptions.assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(),
                "needs Netty's epoll transport (IP_RECVORIGDSTADDR), i.e. Linux");
        TftpSettings wildcard = TftpSettings.defaults(InetAddress.getByAddress(new byte[4]), 0, root());
        InetSocketAddress bound = start(wildcard);
        Path file = TftpTestFiles.random(root(), "f", 1000, 14);
        // 127.0.0.2 is this host too, but not the address a reply to 127.0.0.1 would come from
        // by default: a transfer socket bound to 0.0.0.0 would answer from 127.0.0.1.
        InetSocketAddress other = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}),
                bound.getPort());
        try (RawTftpClient client = new RawTftpClient(other)) {
            client.send(new ReadRequest("f", "octet"));
            RawTftpClient.Received first = client.expect(WAIT);
            assertEquals(other.getAddress(), first.from().getAddress());
            client.send(new Ack(1), first.from());
        }
        try (RawTftpClient client = new RawTftpClient(other)) {
            assertArrayEquals(Files.readAllBytes(file), client.fetch("f", Map.of()).content());
        }
    }

    @Test
    void twoHundredConcurrentTransfersAreAllByteIdentical() throws Exception {
        InetSocketAddress address = start(settings());
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(Files.readAllBytes(TftpTestFiles.random(root(), "f" + i, 50_000 + i * 33_333L, i)));
        }
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int which = i % files.size();
                Map<String, String> asked = switch (i % 3) {
                    case 0 -> Map.of();
                    case 1 -> options("blksize", "1468", "tsize", "0");
                    default -> options("blksize", "1400", "windowsize", "8");
                };
                results.add(pool.submit(() -> {
                    try (RawTftpClient client = new RawTftpClient(address)) {
                        return java.util.Arrays.equals(files.get(which), client.fetch("f" + which, asked).content());
                    }
                }));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        awaitCount(200, () -> counters.count(TftpOutcome.SERVED));
    }

    @Test
    void pastMaxTransfersAClientGetsServerBusy() throws Exception {
        InetSocketAddress address = start(settings().withLimits(1468, 64, 2)
                .withRetransmission(Duration.ofSeconds(30), 5));
        Path file = TftpTestFiles.random(root(), "f", 3000, 10);
        try (RawTftpClient a = new RawTftpClient(address); RawTftpClient b = new RawTftpClient(address);
                RawTftpClient c = new RawTftpClient(address)) {
            a.send(new ReadRequest("f", "octet"));
            b.send(new ReadRequest("f", "octet"));
            RawTftpClient.Received aFirst = a.expect(WAIT);
            b.expect(WAIT);
            c.send(new ReadRequest("f", "octet"));
            ErrorPacket busy = assertInstanceOf(ErrorPacket.class, c.expect(WAIT).packet());
            assertEquals(ErrorCode.NOT_DEFINED, busy.errorCode());
            assertTrue(busy.message().contains("busy"), busy.message());
            assertEquals(1, counters.count(TftpOutcome.BUSY));
            // One transfer ends (its client gives up): a new request is served again.
            a.send(new ErrorPacket(0, "giving up"), aFirst.from());
            awaitCount(1, () -> counters.count(TftpOutcome.CLIENT_ABORTED));
            awaitCount(1, server::activeTransfers);
            assertArrayEquals(Files.readAllBytes(file), c.fetch("f", Map.of()).content());
        }
        assertFalse(counters.count(TftpOutcome.FAILED) > 0);
    }

    @Test
    void closeEndsATransferWaitingForItsAckAndCountsNothing() throws Exception {
        // A 30 s wait: the transfer is still waiting when the server closes, long before a resend.
        InetSocketAddress address = start(settings().withRetransmission(Duration.ofSeconds(30), 5));
        TftpTestFiles.random(root(), "f", 3000, 11);
        try (RawTftpClient client = new RawTftpClient(address)) {
            client.send(new ReadRequest("f", "octet"));
            RawTftpClient.Received first = client.expect(WAIT);
            assertEquals(1, assertInstanceOf(DataBlock.class, first.packet()).block());
            assertEquals(1, server.activeTransfers());
            server.close();
            // close() returns once the transfer's thread has ended: its port is closed, nothing counted.
            assertEquals(0, server.activeTransfers());
            server = null;
            assertEquals("served=0 not-found=0 refused=0 timed-out=0 client-aborted=0 busy=0 failed=0 bytes=0"
                    + " malformed=0 stray=0 unknown-tid=0", counters.toString());
            assertEquals(List.of(), client.queued());
        }
    }
}
