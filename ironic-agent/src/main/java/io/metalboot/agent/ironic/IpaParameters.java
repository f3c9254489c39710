package io.metalboot.agent.ironic;

import io.metalboot.agent.KernelCommandLine;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * ironic-python-agent's kernel parameters, as Ironic's boot interfaces write them: the agent runs
 * in Ironic mode when {@code ipa-api-url} is present (it wins over {@code metalboot.url}).
 *
 * @param apiUrl                 Ironic's API, without a trailing slash
 * @param inspectionCallbackUrl  ironic-inspector's {@code /v1/continue}, when inspection is asked for
 * @param insecure               {@code ipa-insecure=1}: the agent does not verify Ironic's (or the
 *                               image server's) TLS certificate; checksums still verify the image
 * @param globalRequestId        {@code ipa-global-request-id}, sent as {@code X-OpenStack-Request-ID}
 * @param heartbeatTimeout       {@code ipa-heartbeat-timeout}: overrides the lookup's {@code heartbeat_timeout}
 * @param lookupTimeout          {@code ipa-lookup-timeout}: how long lookups are tried (IPA's default 300 s)
 * @param lookupInterval         {@code ipa-lookup-interval}: the first wait between lookups (1 s)
 * @param listenPort             {@code ipa-listen-port}: the agent API's port (9999)
 * @param autoTls                {@code ipa-enable-auto-tls}: serve the API over TLS with a generated
 *                               certificate when Ironic accepts {@code agent_verify_ca} (default on)
 */
public record IpaParameters(String apiUrl, Optional<String> inspectionCallbackUrl, boolean insecure,
        Optional<String> globalRequestId, Optional<Duration> heartbeatTimeout, Duration lookupTimeout,
        Duration lookupInterval, int listenPort, boolean autoTls) {
    /** The parameters this agent reads; every other {@code ipa-*} one is ignored with a line saying so. */
    static final Set<String> KNOWN = Set.of("ipa-api-url", "ipa-inspection-callback-url", "ipa-insecure",
            "ipa-global-request-id", "ipa-inspection-collectors", "ipa-heartbeat-timeout", "ipa-lookup-timeout",
            "ipa-lookup-interval", "ipa-listen-port", "ipa-enable-auto-tls");
    /** The only inspection collector there is: IPA's {@code default} (inventory, root disk, boot interface). */
    static final String DEFAULT_COLLECTOR = "default";

    /** Whether this command line asks for Ironic mode. */
    public static boolean present(KernelCommandLine cmdline) {
        return cmdline.get("ipa-api-url").filter(url -> !url.isBlank()).isPresent();
    }

    /**
     * @param log told once per ignored parameter or collector
     * @throws IllegalArgumentException naming the parameter, for a value that is not one (a port of 70000)
     */
    public static IpaParameters parse(KernelCommandLine cmdline, Consumer<String> log) {
        String api = cmdline.get("ipa-api-url").filter(url -> !url.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("no ipa-api-url on the kernel command line"));
        cmdline.parameters().keySet().stream().filter(key -> key.startsWith("ipa-") && !KNOWN.contains(key)).sorted()
                .forEach(key -> log.accept("ignoring the kernel parameter " + key + " (not supported by this agent)"));
        cmdline.get("ipa-inspection-collectors").ifPresent(value -> List.of(value.split(",")).stream()
                .map(String::strip).filter(name -> !name.isEmpty() && !name.equals(DEFAULT_COLLECTOR))
                .forEach(name -> log.accept("ignoring the inspection collector " + name + " (only " + DEFAULT_COLLECTOR
                        + " is supported)")));
        return new IpaParameters(api.replaceFirst("/+$", ""),
                cmdline.get("ipa-inspection-callback-url").filter(url -> !url.isBlank()),
                flag(cmdline, "ipa-insecure", false),
                cmdline.get("ipa-global-request-id").filter(id -> !id.isBlank()),
                cmdline.get("ipa-heartbeat-timeout").map(value -> seconds("ipa-heartbeat-timeout", value, 1)),
                cmdline.get("ipa-lookup-timeout").map(value -> seconds("ipa-lookup-timeout", value, 1))
                        .orElse(Duration.ofSeconds(300)),
                cmdline.get("ipa-lookup-interval").map(value -> seconds("ipa-lookup-interval", value, 1))
                        .orElse(Duration.ofSeconds(1)),
                cmdline.get("ipa-listen-port").map(IpaParameters::port).orElse(9999),
                flag(cmdline, "ipa-enable-auto-tls", true));
    }

    /** oslo's boolean words, as IPA reads its parameters. */
    private static boolean flag(KernelCommandLine cmdline, String key, boolean absent) {
        return cmdline.get(key).map(value -> switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "t", "true", "on", "y", "yes", "" -> true;
            case "0", "f", "false", "off", "n", "no" -> false;
            default -> throw new IllegalArgumentException(key + "=" + value + ": a boolean (1/0, true/false)");
        }).orElse(absent);
    }

    private static Duration seconds(String key, String value, int least) {
        if (!value.matches("\\d{1,6}") || Integer.parseInt(value) < least) {
            throw new IllegalArgumentException(key + "=" + value + ": whole seconds, at least " + least);
        }
        return Duration.ofSeconds(Integer.parseInt(value));
    }

    private static int port(String value) {
        if (!value.matches("\\d{1,5}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 65535) {
            throw new IllegalArgumentException("ipa-listen-port=" + value + ": a TCP port, 1 to 65535");
        }
        return Integer.parseInt(value);
    }
}
