package io.metalboot.appliance.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IpxeTemplateTest {
    private static final Map<String, String> VALUES = Map.of("mac", "52:54:00:aa:bb:01", "base-url",
            "http://10.0.0.2:8080", "args", "a=$1 b=\\2 {{mac}}", "empty", "");

    /** What rendering meant when it was a regex replacement: the scanning renderer must match it. */
    private static String byRegex(String text, Map<String, String> values) {
        Matcher matcher = Pattern.compile("\\{\\{([a-z-]+)}}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(matcher.group(1), "")));
        }
        return matcher.appendTail(out).toString();
    }

    @Test
    void rendersExactlyWhatTheRegexReplacementDid() {
        List<String> texts = List.of("#!ipxe\n", "#!ipxe\nchain {{base-url}}/boot/{{mac}}\n", "{{mac}}{{mac}}",
                "{{{mac}}}", "{{{{mac}}", "{{}}", "{{MAC}} {{ mac}} {{mac }}", "{{unknown}}x", "a {{empty}} b",
                "{{args}}", "{{mac}", "{mac}}", "{{", "}}{{mac}}{{", "{{ma{{mac}}c}}", "{{a-b}}{{-}}", "");
        for (String text : texts) {
            assertEquals(byRegex(text, VALUES), new IpxeTemplate("t", text).render(VALUES), text);
        }
    }

    @Test
    void theImageNameIsTheLastPathSegmentWithoutQueryOrFragment() {
        assertEquals("initrd.img", BootScripts.imageName("http://10.0.0.2:8080/assets/agent/initrd.img"));
        assertEquals("initrd.img", BootScripts.imageName("http://x/a/initrd.img?sig=a/b#c/d"));
        assertEquals("i", BootScripts.imageName("http://x/a/i#frag/ment"));
        assertEquals("", BootScripts.imageName("http://x/a/"));
        assertEquals("", BootScripts.imageName("?x/y"));
        assertEquals("plain", BootScripts.imageName("plain"));
    }
}
