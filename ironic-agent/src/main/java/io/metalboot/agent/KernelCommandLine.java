package io.metalboot.agent;

import io.metalboot.agent.inventory.BootIf;
import io.metalboot.machine.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the appliance put on the agent's kernel command line ({@code /proc/cmdline}):
 * {@code metalboot.url}, {@code metalboot.mac}, the single-use {@code metalboot.token} and
 * {@code BOOTIF=01-aa-bb-cc-dd-ee-ff} (pxelinux's form: 01 is Ethernet), {@code metalboot.lldp-seconds}.
 * {@link #toString} never
 * shows the token: this is printed on a serial console whose log is kept.
 */
public record KernelCommandLine(Map<String, String> parameters) {
    public KernelCommandLine {
        parameters = Map.copyOf(parameters);
    }

    /** Splits on white space; {@code key=value} or a bare {@code key}; double quotes group a value with spaces. */
    public static KernelCommandLine parse(String cmdline) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String word : words(cmdline)) {
            int equals = word.indexOf('=');
            String key = equals < 0 ? word : word.substring(0, equals);
            String value = equals < 0 ? "" : word.substring(equals + 1);
            parameters.put(key, value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                    ? value.substring(1, value.length() - 1) : value);
        }
        return new KernelCommandLine(parameters);
    }

    private static List<String> words(String cmdline) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        for (char c : cmdline.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                word.append(c);
            } else if (Character.isWhitespace(c) && !quoted) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(parameters.get(key));
    }

    /** The appliance's base URL, e.g. {@code http://10.0.0.2:8080}, without a trailing slash. */
    public Optional<String> applianceUrl() {
        return get("metalboot.url").map(url -> url.replaceFirst("/+$", ""));
    }

    public Optional<String> bootToken() {
        return get("metalboot.token").filter(token -> !token.isEmpty());
    }

    /** The NIC the machine booted from: BOOTIF, else metalboot.mac. */
    public Optional<MacAddress> bootMac() {
        return get("BOOTIF").map(BootIf::parse).or(() -> get("metalboot.mac").map(MacAddress::parse));
    }

    /** How long the inventory listens for LLDP when no {@code metalboot.lldp-seconds} says. */
    public static final Duration DEFAULT_LLDP_WAIT = Duration.ofSeconds(10);
    private static final int MAX_LLDP_SECONDS = 600;

    /**
     * {@code metalboot.lldp-seconds=N}: how long the inventory listens for LLDP frames, 0 to 600 s;
     * zero means LLDP is not collected. A switch sends every 30 s by default (802.1AB's msgTxInterval),
     * so the default 10 s hears switches set to send more often, or that answer a new link at once
     * (fast start). A value that is not such a number is an error, not the default: it was meant.
     */
    public Duration lldpWait() {
        String value = parameters.get("metalboot.lldp-seconds");
        if (value == null) {
            return DEFAULT_LLDP_WAIT;
        }
        if (!value.matches("\\d{1,4}") || Integer.parseInt(value) > MAX_LLDP_SECONDS) {
            throw new IllegalArgumentException("metalboot.lldp-seconds=" + value + ": seconds from 0 to "
                    + MAX_LLDP_SECONDS + " (0: LLDP not collected)");
        }
        return Duration.ofSeconds(Integer.parseInt(value));
    }

    @Override
    public String toString() {
        StringBuilder printed = new StringBuilder();
        parameters.forEach((key, value) -> printed.append(printed.isEmpty() ? "" : " ").append(key)
                .append(value.isEmpty() ? "" : "=" + (key.endsWith("token") ? "(hidden)" : value)));
        return printed.toString();
    }
}
