package io.metalboot.machine.agent;

import java.util.regex.Pattern;

/**
 * Kubernetes bootstrap tokens ({@code [a-z0-9]{6}.[a-z0-9]{16}}, kubeadm's join tokens, which
 * CABPK's data carries): masked wherever text that could quote one is stored or printed, on
 * either side (an agent's failure reason, a node's output).
 */
public final class BootstrapTokens {
    public static final Pattern PATTERN = Pattern.compile("(?<![a-z0-9])[a-z0-9]{6}\\.[a-z0-9]{16}(?![a-z0-9])");
    public static final String MASK = "[redacted]";

    private BootstrapTokens() {
    }

    /** {@code text} with every bootstrap token in it replaced by {@link #MASK}. */
    public static String mask(String text) {
        return text == null ? null : PATTERN.matcher(text).replaceAll(MASK);
    }
}
