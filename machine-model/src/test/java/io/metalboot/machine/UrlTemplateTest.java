package io.metalboot.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UrlTemplateTest {
    private static final Set<String> KNOWN = Set.of("server", "http-port", "mac");

    @Test
    void boundInStepsThenExpanded() {
        UrlTemplate template = UrlTemplate.parse("http://{server}:{http-port}/boot.ipxe?mac={mac}", KNOWN);
        UrlTemplate appliance = template.bind(Map.of("server", "10.0.0.2", "http-port", "8080"));
        assertEquals("http://10.0.0.2:8080/boot.ipxe?mac={mac}", appliance.toString());
        assertEquals(Set.of("mac"), appliance.placeholders());
        assertEquals("http://10.0.0.2:8080/boot.ipxe?mac=52:54:00:12:34:56",
                appliance.expand(Map.of("mac", "52:54:00:12:34:56")));
    }

    @Test
    void aValueIsNeverExpandedAgain() {
        UrlTemplate template = UrlTemplate.parse("{server}/{mac}", KNOWN);
        assertEquals("{mac}/x", template.expand(Map.of("server", "{mac}", "mac", "x")));
    }

    @Test
    void anUnknownOrUnclosedPlaceholderIsRefusedWhenParsed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> UrlTemplate.parse("http://{server}/{host}", KNOWN));
        assertEquals("'http://{server}/{host}': unknown placeholder {host}; known: [{http-port}, {mac}, {server}]",
                unknown.getMessage());
        IllegalArgumentException unclosed = assertThrows(IllegalArgumentException.class,
                () -> UrlTemplate.parse("http://{server", KNOWN));
        assertEquals("'http://{server': '{' at 7 is never closed", unclosed.getMessage());
    }

    @Test
    void expandingWithAValueMissingNamesIt() {
        UrlTemplate template = UrlTemplate.parse("{server}:{http-port}", KNOWN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> template.expand(Map.of("server", "a")));
        assertEquals("'{server}:{http-port}': no value for {http-port}", e.getMessage());
    }

    @Test
    void plainTextIsItsOwnExpansion() {
        assertEquals("undionly.kpxe", UrlTemplate.parse("undionly.kpxe", KNOWN).expand(Map.of()));
    }
}
