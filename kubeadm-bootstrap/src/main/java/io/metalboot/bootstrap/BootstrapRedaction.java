package io.metalboot.bootstrap;

import io.metalboot.machine.agent.BootstrapTokens;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Takes bootstrap secrets out of text before it is logged or shown (an agent's or cloud-init's
 * output, an error that quotes a command line): kubeadm bootstrap tokens (machine-model's
 * {@link BootstrapTokens}, which the agent masks with too), and every line of the secret contents given.
 */
public final class BootstrapRedaction {
    /** Shorter lines ("- bar", "fi") are too common to redact without blanking the text. */
    private static final int MIN_LINE = 8;
    public static final String REDACTED = BootstrapTokens.MASK;

    private BootstrapRedaction() {
    }

    /**
     * The text with every bootstrap token and every line of {@code secretValues} (trimmed, at least
     * eight characters) replaced by "[redacted]". Longer lines go first, so a line that contains
     * another is taken whole.
     */
    public static String redact(String text, Collection<byte[]> secretValues) {
        Set<String> lines = new LinkedHashSet<>();
        for (byte[] value : secretValues) {
            for (String line : new String(value, StandardCharsets.UTF_8).split("\\R")) {
                String trimmed = line.strip();
                if (trimmed.length() >= MIN_LINE) {
                    lines.add(trimmed);
                }
            }
        }
        String result = text;
        for (String line : lines.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            result = result.replace(line, REDACTED);
        }
        return BootstrapTokens.mask(result);
    }
}
