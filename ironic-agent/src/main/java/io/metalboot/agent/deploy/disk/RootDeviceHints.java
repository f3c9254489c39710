package io.metalboot.agent.deploy.disk;

import io.metalboot.machine.inventory.Disk;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A node's root-device hints ({@code properties/root_device} or {@code instance_info/root_device}),
 * parsed and checked, as Ironic defines them. A disk matches when it satisfies every hint.
 *
 * <p>The behaviour followed is ironic-python-agent's {@code device_hints} module
 * ({@code parse_root_device_hints}, {@code _extract_hint_operator_and_values},
 * {@code _normalize_hint_expression}, {@code find_devices_by_hints}, which came from ironic-lib's
 * {@code utils}) and the operators of oslo.utils' {@code specs_matcher}; written from their
 * behaviour, not their code:
 * <ul>
 * <li>Keys: {@link HintKey}; any other is refused. An expression is {@code str(value).strip().lower()},
 *     so hints of every key are case-insensitive; empty is refused.
 * <li>No operator: {@code ==} for size, {@code s==} for text. An operator is recognised as a prefix,
 *     in specs_matcher's order ("s==foo" is {@code s==} "foo"); the value is the rest, stripped,
 *     spaces and all ("s== big model").
 * <li>{@code size}: a positive integer of GiB (10 or "10"; not 10.0, not 0), with {@code == != >= > <= <},
 *     the legacy {@code =} (which is {@code >=}), {@code <or>} alternatives, or {@code <range-in>}.
 * <li>{@code rotational}: oslo's {@code bool_from_string(strict=True)}: a boolean, or one of
 *     "1 t true on y yes" / "0 f false off n no" (any case), or the integers 1 and 0. No operator.
 * <li>Text keys: {@code s== s!= s>= s> s<= s<}, {@code <in>} (substring), {@code <or>} (equal to
 *     one of the alternatives), {@code <all-in>} (every whitespace-separated token a substring).
 *     See {@link Hint.Text} for the normalisation.
 * <li>{@code <or>} alternatives are plain values: "&lt;or&gt; &gt;= 10 &lt;or&gt; 5" is refused, as
 *     specs_matcher's grammar has no operator inside a disjunction. Empty alternatives (a trailing
 *     "&lt;or&gt;") are dropped, as Ironic drops them.
 * </ul>
 * <p>Where metalboot differs, on purpose:
 * <ul>
 * <li>Ironic accepts, then never matches (or fails at deploy time on) some combinations; they are
 *     refused here, at parse: text operators on size ({@code s== 10} compares a float with a string),
 *     numeric operators or {@code <range-in>} on text keys (float() of a model), a value that starts
 *     with an operator.
 * <li>{@code <or>} on size compares the alternatives as numbers; IPA compares the float GiB with the
 *     alternatives' strings, so it never matches. {@code <range-in>} on size works as Ironic's
 *     documentation describes ("&lt;range-in&gt; ( 10 100 )"); IPA's own check refuses it as "not an
 *     integer". Bounds are numbers of GiB at least 0; "[" and "]" are inclusive, "(" and ")" exclusive,
 *     the lower bound at most the upper; spaces inside the brackets are optional.
 * <li>{@code <all-in>} on text: specs_matcher evaluates the disk's value as a Python list literal,
 *     which a disk's string is not, so Ironic fails; here every token must be a substring.
 * <li>{@code name} may be given without "/dev/" ("sda"): for every operator but {@code <in>} and
 *     {@code <all-in>} a value not under /dev/ gets the prefix. Ironic compares it as written, so
 *     "sda" matches nothing there.
 * <li>A disk with no value for a text key fails that hint; IPA compares the text "none" instead
 *     (except for serial and wwn, which it skips), so there {@code s!= x} matches a disk without one.
 * </ul>
 */
public record RootDeviceHints(List<Hint> hints) {
    /** No hints: the default choice. */
    public static final RootDeviceHints NONE = new RootDeviceHints(List.of());

    private static final Pattern POSITIVE_INTEGER = Pattern.compile("\\d+");
    private static final Pattern RANGE = Pattern.compile("([\\[(])\\s*(\\S+?)\\s+(\\S+?)\\s*([\\])])");
    private static final Pattern NUMBER = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Set<String> TRUE = Set.of("1", "t", "true", "on", "y", "yes");
    private static final Set<String> FALSE = Set.of("0", "f", "false", "off", "n", "no");

    public RootDeviceHints {
        hints = hints.stream().sorted(Comparator.comparing(Hint::key)).toList();
        if (hints.stream().map(Hint::key).distinct().count() != hints.size()) {
            throw new IllegalArgumentException("one hint a key: " + hints);
        }
    }

    /**
     * The hints of a node's {@code root_device} as its JSON decodes: keys as Ironic names them,
     * values strings, numbers (size, rotational) or booleans (rotational). Null or empty is
     * {@link #NONE}.
     *
     * @throws IllegalArgumentException naming the key and the value, for an unknown key, a value of
     *                                  the wrong type, an operator the key does not take, a value
     *                                  that is not one
     */
    public static RootDeviceHints parse(Map<String, ?> rootDevice) {
        if (rootDevice == null || rootDevice.isEmpty()) {
            return NONE;
        }
        List<Hint> hints = new ArrayList<>();
        for (Map.Entry<String, ?> entry : rootDevice.entrySet()) {
            HintKey key = HintKey.of(entry.getKey());
            Object value = entry.getValue();
            if (value == null) {
                throw refused(key, null, "has no value");
            }
            hints.add(switch (key.type()) {
                case NUMBER -> size(value);
                case BOOLEAN -> rotational(value);
                case TEXT -> text(key, value);
            });
        }
        return new RootDeviceHints(hints);
    }

    public boolean isEmpty() {
        return hints.isEmpty();
    }

    public Optional<Hint> get(HintKey key) {
        return hints.stream().filter(h -> h.key() == key).findFirst();
    }

    /** Whether the disk satisfies every hint. */
    public boolean matches(Disk disk) {
        return hints.stream().allMatch(h -> h.matches(disk));
    }

    /** The hints the disk does not satisfy, in key order; empty when it matches. */
    public List<Hint> mismatches(Disk disk) {
        return hints.stream().filter(h -> !h.matches(disk)).toList();
    }

    /** "{size=>= 10, model=s== big%20model}" without the encoding: "{size=>= 10, model=s== big model}". */
    @Override
    public String toString() {
        return hints.stream().map(h -> h.key() + "=" + h.expression()).collect(Collectors.joining(", ", "{", "}"));
    }

    private static IllegalArgumentException refused(HintKey key, Object value, String why) {
        return new IllegalArgumentException("root-device hint " + key + "="
                + (value instanceof String ? "'" + value + "'" : String.valueOf(value)) + " " + why);
    }

    /**
     * Python's {@code str(value)} for the types a JSON decoder gives (near enough: 10.0 is "10.0",
     * which is no integer in either); null for the others.
     */
    private static String pythonStr(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return value instanceof Number ? value.toString() : null;
    }

    private static Hint size(Object value) {
        String text = pythonStr(value);
        if (text == null || value instanceof Boolean) {
            throw refused(HintKey.SIZE, value, "is not an integer of GiB");
        }
        String expression = HintText.normalise(text);
        if (expression.isEmpty()) {
            throw refused(HintKey.SIZE, value, "is empty");
        }
        Operator op = Operator.leading(expression);
        if (op == null) {
            return new Hint.Size(Operator.EQ, List.of(gib(value, expression)), true, true, "== " + expression);
        }
        String rest = expression.substring(op.spelling().length()).strip();
        if (op.isNumericComparison()) {
            return new Hint.Size(op, List.of(gib(value, rest)), true, true, op + " " + rest);
        }
        return switch (op) {
            case OR -> {
                List<BigDecimal> alternatives = alternatives(HintKey.SIZE, value, expression).stream()
                        .map(a -> gib(value, a)).toList();
                yield new Hint.Size(op, alternatives, true, true, orExpression(alternatives.stream()
                        .map(BigDecimal::toPlainString).toList()));
            }
            case RANGE_IN -> {
                Matcher m = RANGE.matcher(rest);
                if (!m.matches() || !NUMBER.matcher(m.group(2)).matches() || !NUMBER.matcher(m.group(3)).matches()) {
                    throw refused(HintKey.SIZE, value, "is not <range-in> followed by \"[\" or \"(\", two numbers"
                            + " of GiB, and \"]\" or \")\", as in \"<range-in> ( 10 100 ]\"");
                }
                BigDecimal low = new BigDecimal(m.group(2));
                BigDecimal high = new BigDecimal(m.group(3));
                if (low.compareTo(high) > 0) {
                    throw refused(HintKey.SIZE, value, "has a lower bound above its upper bound");
                }
                yield new Hint.Size(op, List.of(low, high), m.group(1).equals("["), m.group(4).equals("]"),
                        op + " " + m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4));
            }
            default -> throw refused(HintKey.SIZE, value, "uses " + op + ", a text operator; size takes"
                    + " == != >= > <= < = <or> <range-in>");
        };
    }

    /** Ironic's check of a size operand: {@code int(v)}, and positive. */
    private static BigDecimal gib(Object value, String operand) {
        if (!POSITIVE_INTEGER.matcher(operand).matches()) {
            throw refused(HintKey.SIZE, value, "is not an integer of GiB");
        }
        BigDecimal gib = new BigDecimal(operand);
        if (gib.signum() <= 0) {
            throw refused(HintKey.SIZE, value, "is not a positive integer of GiB");
        }
        return gib;
    }

    private static Hint rotational(Object value) {
        String text = pythonStr(value);
        String normalised = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (TRUE.contains(normalised)) {
            return new Hint.Rotational(true, "true");
        }
        if (FALSE.contains(normalised)) {
            return new Hint.Rotational(false, "false");
        }
        throw refused(HintKey.ROTATIONAL, value, "is not a boolean (true or false, 1 or 0, yes or no, on or off)");
    }

    private static Hint text(HintKey key, Object value) {
        if (!(value instanceof String raw)) {
            throw refused(key, value, "is not a string");
        }
        String expression = HintText.normalise(raw);
        if (expression.isEmpty()) {
            throw refused(key, value, "is empty");
        }
        Operator op = Operator.leading(expression);
        if (op == null) {
            return textHint(key, Operator.S_EQ, List.of(expression));
        }
        String rest = expression.substring(op.spelling().length()).strip();
        if (op.isNumericComparison() || op == Operator.RANGE_IN) {
            throw refused(key, value, "uses " + op + ", a numeric operator; " + key
                    + " takes s== s!= s>= s> s<= s< <in> <or> <all-in>");
        }
        return switch (op) {
            case OR -> textHint(key, op, alternatives(key, value, expression));
            case ALL_IN -> {
                List<String> tokens = rest.isEmpty() ? List.of() : Arrays.asList(rest.split("\\s+"));
                if (tokens.isEmpty()) {
                    throw refused(key, value, "has no value after " + op);
                }
                tokens.forEach(t -> plainValue(key, value, t));
                yield textHint(key, op, tokens);
            }
            default -> {
                if (rest.isEmpty()) {
                    throw refused(key, value, "has no value after " + op);
                }
                yield textHint(key, op, List.of(plainValue(key, value, rest)));
            }
        };
    }

    private static Hint.Text textHint(HintKey key, Operator op, List<String> values) {
        if (key == HintKey.NAME && op != Operator.IN && op != Operator.ALL_IN) {
            values = values.stream().map(v -> v.startsWith("/dev/") ? v : "/dev/" + v).toList();
        }
        String expression = switch (op) {
            case OR -> orExpression(values);
            default -> op + " " + String.join(" ", values);
        };
        return new Hint.Text(key, op, values, expression);
    }

    /** The alternatives of "&lt;or&gt; a &lt;or&gt; b c": "a", "b c"; empty ones dropped. */
    private static List<String> alternatives(HintKey key, Object value, String expression) {
        List<String> alternatives = Arrays.stream(expression.split(Pattern.quote(Operator.OR.spelling())))
                .map(String::strip).filter(a -> !a.isEmpty()).toList();
        if (alternatives.isEmpty()) {
            throw refused(key, value, "has no alternatives after <or>");
        }
        alternatives.forEach(a -> plainValue(key, value, a));
        return alternatives;
    }

    /** A value must not start with an operator: specs_matcher's grammar has no room for one there. */
    private static String plainValue(HintKey key, Object value, String operand) {
        Operator inner = Operator.leading(operand);
        if (inner != null) {
            throw refused(key, value, "has the operator " + inner + " where a value belongs (after another"
                    + " operator, or as an <or> alternative); Ironic's grammar allows one operator, first");
        }
        return operand;
    }

    private static String orExpression(List<String> alternatives) {
        return alternatives.stream().map(a -> "<or> " + a).collect(Collectors.joining(" "));
    }
}
