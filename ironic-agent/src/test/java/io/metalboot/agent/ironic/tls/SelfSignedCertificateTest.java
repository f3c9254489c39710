package io.metalboot.agent.ironic.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.metalboot.image.testing.RequiredTools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's auto-TLS certificate, read by the JDK and by the peers that matter: openssl, curl,
 * and Python's requests with {@code verify=<the PEM>}, which is what Ironic does with
 * {@code agent_verify_ca}. The handshakes are on loopback against the JDK's HTTPS server.
 */
class SelfSignedCertificateTest {
    private static final Instant NOW = Instant.parse("2026-03-14T15:09:26.535Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration VALIDITY = Duration.ofDays(30);

    // What python-requests 2.32+ and Python 3.13's ssl.create_default_context() do on 3.13+,
    // forced here on any Python: the strict RFC 5280 checks and partial chains.
    private static final String PYTHON = """
            import ssl, socket, sys, requests
            url, pem, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
            print("requests", requests.get(url, verify=pem, timeout=10).status_code)
            ctx = ssl.create_default_context(cafile=pem)
            ctx.verify_flags |= ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                    print("strict", tls.version())
            """;

    @TempDir
    Path dir;

    private static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theJdkReadsAnIpv4Certificate() throws Exception {
        InetAddress ip = InetAddress.getByName("192.0.2.17");
        SelfSignedCertificate generated = SelfSignedCertificate.generate(ip, VALIDITY, CLOCK);
        X509Certificate cert = generated.certificate();

        assertEquals(3, cert.getVersion());
        assertEquals("SHA256withECDSA", cert.getSigAlgName());
        assertEquals("EC", cert.getPublicKey().getAlgorithm());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertEquals("CN=192.0.2.17,O=metalboot agent", cert.getSubjectX500Principal().getName());
        assertEquals(List.of(List.of(7, "192.0.2.17")), List.copyOf(cert.getSubjectAlternativeNames()));
        assertEquals(Date.from(Instant.parse("2026-03-14T14:09:26Z")), cert.getNotBefore());
        assertEquals(Date.from(Instant.parse("2026-04-13T15:09:26Z")), cert.getNotAfter());
        cert.checkValidity(Date.from(NOW.minus(Duration.ofMinutes(59))));
        cert.verify(cert.getPublicKey());

        assertEquals(-1, cert.getBasicConstraints(), "an end entity, not a CA");
        boolean[] usage = cert.getKeyUsage();
        assertTrue(usage[0], "digitalSignature");
        assertFalse(usage[5], "no keyCertSign");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage());
        assertTrue(cert.getCriticalExtensionOIDs().containsAll(List.of("2.5.29.15", "2.5.29.19")));

        assertEquals(1, cert.getSerialNumber().signum());
        assertEquals(16, cert.getSerialNumber().toByteArray().length);
        assertNotEquals(cert.getSerialNumber(),
                SelfSignedCertificate.generate(ip, VALIDITY, CLOCK).certificate().getSerialNumber());

        // the key is the certificate's
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(generated.key());
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(cert);
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signature));
    }

    @Test
    void theJdkReadsAnIpv6CertificateWithoutTheScope() throws Exception {
        byte[] address = InetAddress.getByName("fe80::5054:ff:fe12:3456").getAddress();
        InetAddress scoped = Inet6Address.getByAddress(null, address, 2);
        X509Certificate cert = SelfSignedCertificate.generate(scoped, VALIDITY, CLOCK).certificate();

        List<?> san = List.copyOf(cert.getSubjectAlternativeNames()).get(0) instanceof List<?> l ? l : List.of();
        assertEquals(7, san.get(0));
        assertArrayEquals(address, InetAddress.getByName((String) san.get(1)).getAddress());
        assertEquals("CN=fe80:0:0:0:5054:ff:fe12:3456,O=metalboot agent", cert.getSubjectX500Principal().getName());
        cert.verify(cert.getPublicKey());
    }

    @Test
    void aValidityPast2049IsAGeneralizedTime() throws Exception {
        Clock late = Clock.fixed(Instant.parse("2049-12-31T00:00:00Z"), ZoneOffset.UTC);
        X509Certificate cert = SelfSignedCertificate.generate(InetAddress.getByName("192.0.2.17"), Duration.ofDays(2), late)
                .certificate();
        assertEquals(Date.from(Instant.parse("2049-12-30T23:00:00Z")), cert.getNotBefore());
        assertEquals(Date.from(Instant.parse("2050-01-02T00:00:00Z")), cert.getNotAfter());
    }

    @Test
    void thePemRoundTrips() throws Exception {
        SelfSignedCertificate generated = SelfSignedCertificate.generate(InetAddress.getByName("192.0.2.17"), VALIDITY, CLOCK);
        String pem = generated.pem();
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n"), pem);
        assertTrue(pem.endsWith("\n-----END CERTIFICATE-----\n"), pem);
        List<String> body = pem.lines().toList().subList(1, (int) pem.lines().count() - 1);
        for (int i = 0; i < body.size(); i++) {
            assertTrue(i < body.size() - 1 ? body.get(i).length() == 64 : body.get(i).length() <= 64, body.get(i));
        }
        assertEquals(generated.certificate(), parse(pem));
        assertArrayEquals(generated.certificate().getEncoded(), parse(pem).getEncoded());
    }

    @Test
    void opensslReadsAndVerifiesIt() throws Exception {
        RequiredTools.require(RequiredTools.program("openssl", "openssl"));
        Path pem = Files.writeString(dir.resolve("agent.pem"),
                SelfSignedCertificate.generate(InetAddress.getByName("192.0.2.17"), VALIDITY, Clock.systemUTC()).pem());

        Result text = run("openssl", "x509", "-noout", "-text", "-in", pem.toString());
        assertEquals(0, text.exit(), text.output());
        for (String expected : List.of("Version: 3 (0x2)", "ecdsa-with-SHA256", "NIST CURVE: P-256",
                "Subject: O = metalboot agent, CN = 192.0.2.17", "IP Address:192.0.2.17", "CA:FALSE",
                "X509v3 Key Usage: critical", "Digital Signature", "TLS Web Server Authentication",
                "X509v3 Subject Key Identifier", "X509v3 Authority Key Identifier")) {
            assertTrue(text.output().contains(expected), expected + " in\n" + text.output());
        }
        for (String strictness : List.of("-x509_strict", "-purpose")) {
            List<String> command = strictness.equals("-purpose")
                    ? List.of("openssl", "verify", "-purpose", "sslserver", "-CAfile", pem.toString(), pem.toString())
                    : List.of("openssl", "verify", strictness, "-CAfile", pem.toString(), pem.toString());
            Result verify = run(command.toArray(String[]::new));
            assertEquals(0, verify.exit(), verify.output());
            assertEquals(pem + ": OK", verify.output().strip());
        }
    }

    @Test
    void curlAndPythonRequestsTrustExactlyThePem() throws Exception {
        RequiredTools.require(RequiredTools.program("curl", "curl"));
        RequiredTools.require(pythonRequests());
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        SelfSignedCertificate agent = SelfSignedCertificate.generate(loopback, VALIDITY, Clock.systemUTC());
        // the same name, another key: what a stale or foreign agent_verify_ca would be
        SelfSignedCertificate other = SelfSignedCertificate.generate(loopback, VALIDITY, Clock.systemUTC());
        Path pem = Files.writeString(dir.resolve("agent.pem"), agent.pem());
        Path otherPem = Files.writeString(dir.resolve("other.pem"), other.pem());

        HttpsServer server = HttpsServer.create(new InetSocketAddress(loopback, 0), 8);
        server.setHttpsConfigurator(new HttpsConfigurator(agent.serverContext()));
        server.createContext("/", exchange -> {
            byte[] body = "{\"name\":\"metalboot agent\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            String url = "https://127.0.0.1:" + port + "/";

            Result curl = run("curl", "-sS", "--cacert", pem.toString(), url);
            assertEquals(0, curl.exit(), curl.output());
            assertEquals("{\"name\":\"metalboot agent\"}", curl.output());
            Result tls12 = run("curl", "-sS", "--tlsv1.2", "--tls-max", "1.2", "--cacert", pem.toString(), url);
            assertEquals(0, tls12.exit(), "TLS 1.2 (ECDHE-ECDSA) as well: " + tls12.output());

            Result python = run("python3", "-c", PYTHON, url, pem.toString(), Integer.toString(port));
            assertEquals(0, python.exit(), python.output());
            assertEquals(List.of("requests 200", "strict TLSv1.3"), python.output().lines().toList());

            // 60: peer certificate cannot be authenticated with given CA certificates
            Result foreign = run("curl", "-sS", "--cacert", otherPem.toString(), url);
            assertEquals(60, foreign.exit(), foreign.output());
            Result systemCas = run("curl", "-sS", url);
            assertEquals(60, systemCas.exit(), systemCas.output());
            Result wrongName = run("curl", "-sS", "--cacert", pem.toString(), "--resolve", "localhost:" + port + ":127.0.0.1",
                    "https://localhost:" + port + "/");
            assertEquals(60, wrongName.exit(), "the name is the IP address alone: " + wrongName.output());
            Result pythonForeign = run("python3", "-c", PYTHON, url, otherPem.toString(), Integer.toString(port));
            assertNotEquals(0, pythonForeign.exit());
            assertTrue(pythonForeign.output().contains("CERTIFICATE_VERIFY_FAILED"), pythonForeign.output());
        } finally {
            server.stop(0);
        }
    }

    private static Optional<String> pythonRequests() throws IOException, InterruptedException {
        Optional<String> python = RequiredTools.program("python3", "python3");
        if (python.isPresent()) {
            return python;
        }
        Result imported = run("python3", "-c", "import requests");
        return imported.exit() == 0 ? Optional.empty()
                : Optional.of("python3 has no requests module (Debian package python3-requests): " + imported.output());
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }
}
