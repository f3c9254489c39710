package io.metalboot.lab.storm;

import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.MessageType;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One machine's boot through the steps of the storm's scope, each checked: what it got must be
 * exactly what it should have got, or the boot stops there with a {@link StepFailure}.
 */
final class MachineBoot {
    /** PXE's DHCP retransmission schedule (PXE 2.1: 4, 8, 16, 32 s). */
    static final List<Duration> DHCP_WAITS = List.of(Duration.ofSeconds(4), Duration.ofSeconds(8),
            Duration.ofSeconds(16), Duration.ofSeconds(32));
    private static final InetSocketAddress BROADCAST = new InetSocketAddress("255.255.255.255", DhcpPort.SERVER_PORT);
    /** iPXE's values of {@code ${buildarch}} and {@code ${platform}} in snponly.efi. */
    private static final String BUILDARCH = "x86_64";
    private static final String PLATFORM = "efi";

    private final StormMachine machine;
    private final StormScope scope;
    private final ExpectedBoot expected;
    private final DhcpPort dhcp;
    private final DhcpPort bootServer;
    private final Inet4Address clientAddress;
    private final OvmfTftpClient tftp;
    private final Set<String> tokens;
    private final AtomicLong hashed;
    private final AtomicLong counted;
    final long[] nanos = new long[StormStep.values().length];
    volatile StormStep current = StormStep.DHCP;
    volatile long finishedAt;

    /**
     * @param dhcp          the shared port 68
     * @param bootServer    the shared port 4011 (OVMF asks a boot server from there)
     * @param clientAddress the generator's address: every machine's {@code ciaddr} once it "has" one
     */
    MachineBoot(StormMachine machine, StormScope scope, ExpectedBoot expected, DhcpPort dhcp, DhcpPort bootServer,
                Inet4Address clientAddress, OvmfTftpClient tftp, Set<String> tokens, AtomicLong hashed,
                AtomicLong counted) {
        this.machine = machine;
        this.scope = scope;
        this.expected = expected;
        this.dhcp = dhcp;
        this.bootServer = bootServer;
        this.clientAddress = clientAddress;
        this.tftp = tftp;
        this.tokens = tokens;
        this.hashed = hashed;
        this.counted = counted;
        Arrays.fill(nanos, -1);
    }

    StormMachine machine() {
        return machine;
    }

    /** Runs every step; returns normally only when all of them got what they should. */
    void run() throws StepFailure, InterruptedException {
        DhcpMessage offer = step(StormStep.DHCP, () -> pxeOffer());
        InetAddress server = nextServer(offer);
        step(StormStep.TFTP, () -> {
            byte[] file = tftp.fetch(server, expected.bootFile(), expected.bootFileBytes().length);
            if (!Arrays.equals(file, expected.bootFileBytes())) {
                throw new StepFailure(expected.bootFile() + ": " + file.length + " bytes that differ from the file's "
                        + expected.bootFileBytes().length);
            }
            return file.length;
        });
        if (scope == StormScope.DHCP_TFTP) {
            return;
        }
        String entryUrl = step(StormStep.IPXE_DHCP, () -> ipxeOffer());
        try (IpxeHttpClient http = new IpxeHttpClient(Duration.ofSeconds(20), Duration.ofSeconds(60))) {
            String entry = step(StormStep.ENTRY_SCRIPT, () -> {
                byte[] script = http.getBytes(URI.create(entryUrl));
                if (!Arrays.equals(script, expected.entryScript())) {
                    throw new StepFailure("the entry script differs from the expected one: "
                            + new String(script, StandardCharsets.UTF_8));
                }
                return new String(script, StandardCharsets.UTF_8);
            });
            String script = step(StormStep.MACHINE_SCRIPT, () -> {
                byte[] bytes = http.getBytes(URI.create(chainUrl(entry)));
                String text = new String(bytes, StandardCharsets.UTF_8);
                Optional<byte[]> wanted = expected.agentScript(machine, text);
                if (wanted.isEmpty()) {
                    throw new StepFailure("no boot token in the machine script: " + text.strip());
                }
                if (!Arrays.equals(bytes, wanted.get())) {
                    throw new StepFailure("the machine script differs from the expected one: " + text.strip());
                }
                if (!tokens.add(ExpectedBoot.token(text))) {
                    throw new StepFailure("a boot token another machine got too");
                }
                return text;
            });
            step(StormStep.KERNEL, () -> download(http, imageUrl(script, "kernel "), expected.kernel()));
            step(StormStep.INITRD, () -> download(http, imageUrl(script, "&& initrd "), expected.initrd()));
        }
    }

    private DhcpMessage pxeOffer() throws StepFailure, InterruptedException {
        DhcpMessage offer = dhcp.exchange(FirmwareDiscovers.ovmf(machine), BROADCAST, this::isOfferForMe, DHCP_WAITS);
        requireProxyOffer(offer);
        if (bootFile(offer).isEmpty()) {
            if (offer.option(DhcpOption.VendorSpecific.class).isPresent()) {
                throw new StepFailure("the OFFER names no boot file and carries a PXE menu (option 43)");
            }
            // No file and no option 43 (dnsmasq's proxy offer to UEFI): edk2 asks the proxy on 4011 for the file.
            InetAddress proxy = offer.option(DhcpOption.ServerIdentifier.class).orElseThrow().address();
            offer = bootServer.exchange(FirmwareDiscovers.ovmfBootServerRequest(machine, clientAddress),
                    new InetSocketAddress(proxy, DhcpPort.BOOT_SERVER_PORT), this::isAckForMe, DHCP_WAITS);
        }
        String file = bootFile(offer).orElseThrow(() -> new StepFailure("the OFFER names no boot file"));
        if (!file.equals(expected.bootFile())) {
            throw new StepFailure("the OFFER names boot file '" + file + "', not " + expected.bootFile());
        }
        return offer;
    }

    private boolean isAckForMe(DhcpMessage reply) {
        return reply.messageType().filter(MessageType.ACK::equals).isPresent()
                && Arrays.equals(Arrays.copyOf(reply.chaddr().toByteArray(), 6), machine.mac());
    }

    private String ipxeOffer() throws StepFailure, InterruptedException {
        DhcpMessage offer = dhcp.exchange(FirmwareDiscovers.ipxe(machine), BROADCAST, this::isOfferForMe, DHCP_WAITS);
        requireProxyOffer(offer);
        String file = bootFile(offer).orElseThrow(() -> new StepFailure("iPXE's OFFER names no script"));
        if (!file.equals(expected.entryUrl(machine))) {
            throw new StepFailure("iPXE's OFFER names '" + file + "', not " + expected.entryUrl(machine));
        }
        return file;
    }

    private boolean isOfferForMe(DhcpMessage reply) {
        return reply.messageType().filter(MessageType.OFFER::equals).isPresent()
                && Arrays.equals(Arrays.copyOf(reply.chaddr().toByteArray(), 6), machine.mac());
    }

    /** A ProxyDHCP OFFER: no address offered, PXEClient, the server named, our GUID echoed. */
    private void requireProxyOffer(DhcpMessage offer) throws StepFailure {
        if (!offer.yiaddr().isAnyLocalAddress()) {
            throw new StepFailure("the OFFER offers an address (" + offer.yiaddr().getHostAddress() + "): not a ProxyDHCP");
        }
        String vendor = offer.option(DhcpOption.VendorClass.class).map(DhcpOption.VendorClass::value).orElse("");
        if (!vendor.startsWith("PXEClient")) {
            throw new StepFailure("the OFFER's option 60 is '" + vendor + "', not PXEClient");
        }
        if (offer.option(DhcpOption.ServerIdentifier.class).isEmpty()) {
            throw new StepFailure("the OFFER has no server identifier (54)");
        }
        Optional<byte[]> guid = offer.option(DhcpOption.ClientMachineId.class)
                .flatMap(DhcpOption.ClientMachineId::guid).map(g -> g.wire().toByteArray());
        if (guid.isPresent() && !Arrays.equals(guid.get(), machine.guidWire())) {
            throw new StepFailure("the OFFER echoes another GUID in option 97");
        }
    }

    private static Optional<String> bootFile(DhcpMessage offer) {
        String field = offer.file().nulTerminated();
        if (!field.isEmpty()) {
            return Optional.of(field);
        }
        return offer.option(DhcpOption.BootFileName.class).map(DhcpOption.BootFileName::value)
                .map(name -> name.replaceAll("\u0000+$", ""));
    }

    /** The TFTP server: next-server (siaddr), else the server identifier. */
    private static InetAddress nextServer(DhcpMessage offer) throws StepFailure {
        Inet4Address siaddr = offer.siaddr();
        if (!siaddr.isAnyLocalAddress()) {
            return siaddr;
        }
        return offer.option(DhcpOption.ServerIdentifier.class).map(DhcpOption.ServerIdentifier::address)
                .orElseThrow(() -> new StepFailure("the OFFER names no TFTP server"));
    }

    /** The entry script's {@code chain} URL with iPXE's settings expanded, as iPXE would request it. */
    private String chainUrl(String entry) throws StepFailure {
        String base = null;
        String chain = null;
        for (String line : entry.lines().toList()) {
            if (line.startsWith("set metalboot ")) {
                base = line.substring("set metalboot ".length()).strip();
            } else if (line.startsWith("chain --replace ")) {
                chain = line.substring("chain --replace ".length()).split(" ", 2)[0];
            }
        }
        if (base == null || chain == null) {
            throw new StepFailure("the entry script has no 'set metalboot' or no 'chain' line");
        }
        return chain.replace("${metalboot}", base)
                .replace("${mac}", machine.macText())
                .replace("${uuid}", machine.uuid().toString())
                .replace("${serial:uristring}", URLEncoder.encode(machine.serial(), StandardCharsets.UTF_8))
                .replace("${buildarch}", BUILDARCH)
                .replace("${platform}", PLATFORM);
    }

    /** The URL after {@code marker} on the agent script's kernel line ({@code kernel URL … && initrd URL && boot}). */
    private static URI imageUrl(String script, String marker) throws StepFailure {
        for (String line : script.lines().toList()) {
            if (line.startsWith("kernel ")) {
                int at = line.indexOf(marker);
                if (at >= 0) {
                    return URI.create(line.substring(at + marker.length()).split(" ", 2)[0]);
                }
            }
        }
        throw new StepFailure("the machine script has no '" + marker.strip() + "' on its kernel line");
    }

    private long download(IpxeHttpClient http, URI url, ExpectedBoot.Download wanted) throws StepFailure {
        if (!url.getRawPath().equals(wanted.path())) {
            throw new StepFailure("the script names " + url + ", not " + wanted.path());
        }
        MessageDigest digest = machine.checksummed() ? ExpectedBoot.sha256() : null;
        IpxeHttpClient.Reply reply = http.get(url, digest == null ? (bytes, length) -> { }
                : (bytes, length) -> digest.update(bytes, 0, length));
        if (reply.status() != 200) {
            throw new StepFailure("GET " + url.getRawPath() + " answered " + reply.status());
        }
        if (reply.bodyBytes() != wanted.size() || reply.contentLength() != wanted.size()) {
            throw new StepFailure("GET " + url.getRawPath() + ": " + reply.bodyBytes() + " bytes (Content-Length "
                    + reply.contentLength() + "), the file has " + wanted.size());
        }
        if (digest != null) {
            byte[] sha = digest.digest();
            if (!Arrays.equals(sha, wanted.sha256())) {
                throw new StepFailure("GET " + url.getRawPath() + ": SHA-256 " + ExpectedBoot.hex(sha) + ", the file's is "
                        + ExpectedBoot.hex(wanted.sha256()));
            }
            hashed.addAndGet(reply.bodyBytes());
        } else {
            counted.addAndGet(reply.bodyBytes());
        }
        return reply.bodyBytes();
    }

    private interface Work<T> {
        T run() throws StepFailure, InterruptedException;
    }

    private <T> T step(StormStep step, Work<T> work) throws StepFailure, InterruptedException {
        current = step;
        long start = System.nanoTime();
        T result = work.run();
        nanos[step.ordinal()] = System.nanoTime() - start;
        return result;
    }
}
