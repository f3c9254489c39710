package io.metalboot.agent.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class AliasPatternTest {
    @Test
    void wildcardsSetsRangesAndEscapes() {
        assertTrue(AliasPattern.matches("pci:v*d*sv*sd*bc01sc08i02*", "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02"));
        assertFalse(AliasPattern.matches("pci:v*d*sv*sd*bc01sc08i02*", "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i03"));
        assertTrue(AliasPattern.matches("a?c", "abc"));
        assertFalse(AliasPattern.matches("a?c", "ac"));
        assertTrue(AliasPattern.matches("x[0-9A-F]y", "xBy"));
        assertFalse(AliasPattern.matches("x[!0-9]y", "x5y"));
        assertTrue(AliasPattern.matches("x[^0-9]y", "xay"));
        assertTrue(AliasPattern.matches("x[]]y", "x]y"));
        assertTrue(AliasPattern.matches("x[a-]y", "x-y"));
        assertTrue(AliasPattern.matches("x\\*y", "x*y"));
        assertFalse(AliasPattern.matches("x\\*y", "xzy"));
        assertTrue(AliasPattern.matches("x[y", "x[y"), "an unclosed [ is literal");
        assertTrue(AliasPattern.matches("*", ""));
        assertTrue(AliasPattern.matches("**a**", "bab"));
        assertEquals("pci:v00008086d", new AliasPattern("pci:v00008086d*sv*", "m", 1).literalPrefix());
        assertEquals("fs-ext4", new AliasPattern("fs-ext4", "m", 1).literalPrefix());
    }

    /** The matcher agrees with a regex translation of the same glob (no sets: their translation is the hard part). */
    @Property(tries = 2000)
    void agreesWithARegexOfTheSameGlob(@ForAll("globs") String glob, @ForAll("texts") String text) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(switch (c) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(c));
            });
        }
        assertEquals(Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(text).matches(), AliasPattern.matches(glob, text),
                glob + " on " + text);
    }

    @Provide
    Arbitrary<String> globs() {
        return Arbitraries.strings().withChars("ab*?:").ofMaxLength(8);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars("ab:").ofMaxLength(8);
    }
}
