package io.metalboot.machine;

import java.util.regex.Pattern;

/**
 * Kubernetes label syntax (apimachinery's IsQualifiedName and IsValidLabelValue), for machine
 * labels and the selectors that match them: the same labels can then be copied onto a Node or a
 * BareMetalHost unchanged.
 *
 * <ul>
 *   <li>key: an optional DNS-1123 subdomain prefix (at most 253 characters) and {@code /}, then a
 *       name of 1 to 63 characters: alphanumerics at both ends, {@code -_.} and alphanumerics between;
 *   <li>value: empty, or 1 to 63 characters of the same form as a name.
 * </ul>
 */
public final class LabelSyntax {
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int NAME_MAX = 63;
    private static final int PREFIX_MAX = 253;

    private LabelSyntax() {
    }

    /** Throws IllegalArgumentException saying what is wrong with {@code key}. */
    public static void requireKey(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > PREFIX_MAX || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                throw new IllegalArgumentException("label key '" + key + "': the prefix before '/' must be a"
                        + " lowercase DNS subdomain of at most " + PREFIX_MAX + " characters");
            }
        }
        if (name.isEmpty() || name.length() > NAME_MAX || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("label key '" + key + "': the name must be 1.." + NAME_MAX
                    + " characters, alphanumeric at both ends, with only '-', '_', '.' or alphanumerics between");
        }
    }

    /** Throws IllegalArgumentException saying what is wrong with {@code value}. */
    public static void requireValue(String value) {
        if (!value.isEmpty() && (value.length() > NAME_MAX || !NAME.matcher(value).matches())) {
            throw new IllegalArgumentException("label value '" + value + "': must be empty or 1.." + NAME_MAX
                    + " characters, alphanumeric at both ends, with only '-', '_', '.' or alphanumerics between");
        }
    }
}
