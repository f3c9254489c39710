package io.metalboot.agent.ironic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.agent.KernelCommandLine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** IPA's kernel parameters as Ironic's PXE and iPXE templates write them. */
class IpaParametersTest {
    private final List<String> log = new ArrayList<>();

    private IpaParameters parse(String cmdline) {
        return IpaParameters.parse(KernelCommandLine.parse(cmdline), log::add);
    }

    @Test
    void ironicsOwnTemplateLineGivesEveryValueAndNamesWhatIsIgnored() {
        IpaParameters params = parse("rootpwd=\"\" ipa-api-url=http://192.0.2.1:6385/ ipa-inspection-callback-url="
                + "http://192.0.2.1:5050/v1/continue ipa-insecure=1 ipa-global-request-id=req-1 ipa-debug=1"
                + " ipa-inspection-collectors=default,logs ipa-heartbeat-timeout=30 ipa-lookup-timeout=600"
                + " ipa-listen-port=9998 BOOTIF=01-52-54-00-12-34-56 coreos.configdrive=0");
        assertEquals("http://192.0.2.1:6385", params.apiUrl(), "without the trailing slash");
        assertEquals(Optional.of("http://192.0.2.1:5050/v1/continue"), params.inspectionCallbackUrl());
        assertTrue(params.insecure());
        assertEquals(Optional.of("req-1"), params.globalRequestId());
        assertEquals(Optional.of(Duration.ofSeconds(30)), params.heartbeatTimeout());
        assertEquals(Duration.ofSeconds(600), params.lookupTimeout());
        assertEquals(Duration.ofSeconds(1), params.lookupInterval());
        assertEquals(9998, params.listenPort());
        assertTrue(params.autoTls());
        assertEquals(List.of("ignoring the kernel parameter ipa-debug (not supported by this agent)",
                "ignoring the inspection collector logs (only default is supported)"), log);
    }

    @Test
    void defaultsAreIpas() {
        IpaParameters params = parse("ipa-api-url=https://ironic.example:6385");
        assertFalse(params.insecure());
        assertEquals(Optional.empty(), params.inspectionCallbackUrl());
        assertEquals(Optional.empty(), params.heartbeatTimeout());
        assertEquals(Duration.ofSeconds(300), params.lookupTimeout());
        assertEquals(9999, params.listenPort());
        assertTrue(params.autoTls());
        assertTrue(log.isEmpty());
        assertFalse(parse("ipa-api-url=http://x ipa-enable-auto-tls=0").autoTls());
    }

    @Test
    void ironicModeNeedsTheApiUrlAndWinsOverMetalboots() {
        assertFalse(IpaParameters.present(KernelCommandLine.parse("metalboot.url=http://a:8080 ipa-api-url=")));
        assertTrue(IpaParameters.present(KernelCommandLine.parse("metalboot.url=http://a:8080 ipa-api-url=http://b")));
        assertThrows(IllegalArgumentException.class, () -> parse("metalboot.url=http://a:8080"));
    }

    @Test
    void aValueThatIsNoneIsAnErrorNamingIt() {
        for (String bad : List.of("ipa-listen-port=70000", "ipa-listen-port=x", "ipa-heartbeat-timeout=0",
                "ipa-lookup-timeout=-1", "ipa-insecure=maybe")) {
            var e = assertThrows(IllegalArgumentException.class, () -> parse("ipa-api-url=http://x " + bad), bad);
            assertTrue(e.getMessage().startsWith(bad.substring(0, bad.indexOf('='))), e.getMessage());
        }
    }
}
