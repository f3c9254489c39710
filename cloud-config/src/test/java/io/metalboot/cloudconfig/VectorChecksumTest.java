package io.metalboot.cloudconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The CABPK vectors are the bytes their README (vectors/cabpk/README.md) names. */
class VectorChecksumTest {
    @Test
    void cabpkVectorsAreTheRecordedBytes() throws Exception {
        assertEquals("bb216c4ea1e841b67f0a9cff3ea29ca9d72d8be8278ea7298be84d9768a3b7b4", sha256(Vectors.MINIMAL));
        assertEquals("6a1f470b70bbf41e1eb39edd2446c2888ce748b07138a578e623ff576430dfff", sha256(Vectors.METAL3));
    }

    private static String sha256(String vector) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Vectors.bytes(vector)));
    }
}
