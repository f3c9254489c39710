package io.metalboot.dhcp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The spec-built packets in vectors/malformed (see the vectors' README): DISCOVERs whose option
 * 52 or overloaded fields are broken. Each is refused, and for the reason it was built with.
 */
class MalformedVectorsTest {
    private static final Map<String, byte[]> VECTORS = Vectors.malformed();

    /** Vector name to the decoder's whole message: the offset shows which byte broke the packet. */
    private static final Map<String, String> REFUSALS = Map.of(
            "spec-overload-value-4",
            "option 52 (option overload) must be 1 (file), 2 (sname) or 3 (both), not 4 (at byte 289)",
            "spec-overload-length-2",
            "option 52 must have length 1, not 2 (at byte 289)",
            "spec-overload-file-option-past-end",
            "option 77 in the overloaded file field runs past the end (length 100) (at byte 142)",
            "spec-overload-sname-no-length-byte",
            "option 60 in the overloaded sname field has no length byte (at byte 107)",
            "spec-overload-file-garbage-no-end",
            "option 65 in the overloaded file field runs past the end (length 65) (at byte 209)");

    @Test
    void everyMalformedVectorHasItsRefusalHere() {
        assertEquals(REFUSALS.keySet(), VECTORS.keySet());
    }

    @TestFactory
    Stream<DynamicTest> eachIsRefusedWithATypedErrorNamingTheCause() {
        return VECTORS.entrySet().stream().map(vector -> DynamicTest.dynamicTest(vector.getKey(), () -> {
            DhcpDecodeException error = assertThrows(DhcpDecodeException.class,
                    () -> DhcpMessageDecoder.decode(vector.getValue()));
            assertEquals(REFUSALS.get(vector.getKey()), error.getMessage());
        }));
    }
}
