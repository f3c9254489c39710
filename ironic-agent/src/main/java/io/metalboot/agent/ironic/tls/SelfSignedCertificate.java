package io.metalboot.agent.ironic.tls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The agent's certificate for Ironic's auto-TLS: generated at start, named by the agent's IP
 * address, sent as PEM in the heartbeat ({@code agent_verify_ca}), and then the only thing
 * Ironic trusts for that agent. Built with java.base alone (no BouncyCastle in the ramdisk, no
 * {@code sun.security} internals): EC P-256, SHA256withECDSA, X.509 v3 from {@link Der}.
 */
public final class SelfSignedCertificate {
    /** Ramdisk and conductor clocks may disagree: the certificate is valid from an hour back. */
    static final Duration BACKDATE = Duration.ofHours(1);

    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String ORGANIZATION = "2.5.4.10";
    private static final String SUBJECT_KEY_ID = "2.5.29.14";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String AUTHORITY_KEY_ID = "2.5.29.35";
    private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final int DIGITAL_SIGNATURE = 0;
    private static final String ALIAS = "agent";

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final String pem;

    private SelfSignedCertificate(X509Certificate certificate, PrivateKey key, String pem) {
        this.certificate = certificate;
        this.key = key;
        this.pem = pem;
    }

    /**
     * A new key pair and a certificate for {@code ip}, valid from {@link #BACKDATE} before now
     * until {@code validity} after it.
     *
     * @throws GeneralSecurityException if the runtime lacks EC P-256 or SHA256withECDSA
     */
    public static SelfSignedCertificate generate(InetAddress ip, Duration validity, Clock clock)
            throws GeneralSecurityException {
        Objects.requireNonNull(ip, "ip");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive: " + validity);
        }
        SecureRandom random = new SecureRandom();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair pair = generator.generateKeyPair();
        Instant now = clock.instant();

        byte[] serial = new byte[16];
        random.nextBytes(serial);
        // positive and exactly 16 octets: top bit clear (INTEGER sign), next bit set (no leading zero)
        serial[0] = (byte) ((serial[0] & 0x3f) | 0x40);

        // the scope of an IPv6 address (%eth0) is not part of its name
        String ipText = ip.getHostAddress().replaceFirst("%.*", "");
        byte[] name = Der.sequence(
                Der.set(Der.sequence(Der.oid(ORGANIZATION), Der.utf8String("metalboot agent"))),
                Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8String(ipText))));
        byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));
        byte[] keyId = keyIdentifier((ECPublicKey) pair.getPublic());

        // An end entity (CA:FALSE, no keyCertSign): OpenSSL still trusts it as the exact
        // certificate in the CA file, but nothing else signed with its key (with CA:TRUE it
        // would). The key identifiers are RFC 5280's SHOULD; no verifier tested needed them.
        byte[] extensions = Der.sequence(
                extension(SUBJECT_ALT_NAME, false, Der.sequence(Der.implicitPrimitive(7, ip.getAddress()))),
                extension(BASIC_CONSTRAINTS, true, Der.sequence()),
                extension(KEY_USAGE, true, Der.namedBits(DIGITAL_SIGNATURE)),
                extension(EXTENDED_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH))),
                extension(SUBJECT_KEY_ID, false, Der.octetString(keyId)),
                extension(AUTHORITY_KEY_ID, false, Der.sequence(Der.implicitPrimitive(0, keyId))));
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(2)), // v3
                Der.integer(new BigInteger(serial)),
                algorithm,
                name,
                Der.sequence(Der.time(now.minus(BACKDATE)), Der.time(now.plus(validity))),
                name,
                pair.getPublic().getEncoded(), // already a SubjectPublicKeyInfo
                Der.explicit(3, extensions));

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate(), random);
        signer.update(tbs);
        // the JDK's ECDSA signature is the DER Ecdsa-Sig-Value X.509 wants
        byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signer.sign(), 0));

        // parsing it back proves it well formed and gives the JDK's view of it
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        return new SelfSignedCertificate(certificate, pair.getPrivate(), pem(der));
    }

    /** RFC 7093 method 1: the leftmost 160 bits of the SHA-256 of the public key's bits. */
    private static byte[] keyIdentifier(ECPublicKey key) throws GeneralSecurityException {
        int size = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        byte[] point = new byte[1 + 2 * size];
        point[0] = 4; // uncompressed, as the SubjectPublicKeyInfo holds it
        unsigned(key.getW().getAffineX(), point, 1, size);
        unsigned(key.getW().getAffineY(), point, 1 + size, size);
        return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(point), 20);
    }

    private static void unsigned(BigInteger value, byte[] into, int offset, int size) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > size ? bytes.length - size : 0; // a sign octet
        System.arraycopy(bytes, skip, into, offset + size - (bytes.length - skip), bytes.length - skip);
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value)); // DEFAULT FALSE is omitted in DER
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey key() {
        return key;
    }

    /** The certificate as PEM (base64 at 64 columns, a final newline): Ironic's agent_verify_ca. */
    public String pem() {
        return pem;
    }

    /**
     * A new TLS server context presenting this certificate. The key manager is this class's own,
     * not a PKCS12 KeyStore's: that would encrypt and decrypt the key with PBKDF2 at start,
     * slow in a ramdisk under emulation, for a key that never leaves memory.
     */
    public SSLContext serverContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new SingleKeyManager(key, certificate)}, null, null);
        return context;
    }

    /** One key, one certificate, for the key type they are (JSSE asks per cipher suite / signature). */
    private static final class SingleKeyManager extends X509ExtendedKeyManager {
        private final PrivateKey key;
        private final X509Certificate certificate;

        SingleKeyManager(PrivateKey key, X509Certificate certificate) {
            this.key = key;
            this.certificate = certificate;
        }

        private String alias(String keyType) {
            return key.getAlgorithm().equals(keyType) ? ALIAS : null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return alias(keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return alias(keyType);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            String alias = alias(keyType);
            return alias == null ? null : new String[] {alias};
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? new X509Certificate[] {certificate} : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }
}
