package io.metalboot.agent.deploy.disk;

import io.metalboot.machine.inventory.Disk;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * One parsed root-device hint: a key and the test its expression makes of a disk. Made by
 * {@link RootDeviceHints#parse}; immutable.
 */
public sealed interface Hint permits Hint.Size, Hint.Text, Hint.Rotational {
    HintKey key();

    /** The expression as Ironic's parser leaves it: lower-cased, its operator explicit ("s== foo"). */
    String expression();

    /** Whether the disk satisfies the hint. */
    boolean matches(Disk disk);

    /** The disk's value for this key, for messages: "465.76 GiB", "'Samsung SSD 870'", "none". */
    String valueOf(Disk disk);

    /**
     * {@code size}, in GiB. Ironic (ironic-python-agent {@code find_devices_by_hints}) divides the
     * disk's bytes by 2^30 with Python 3's true division and compares the quotient as a number
     * ({@code specs_matcher}'s float()): "== 10" matches a disk of exactly 10 GiB, not one of
     * 10.5 GiB. The quotient is exact here (a power of two), as the double is in Python for any
     * real disk. {@code values} are the operands: one for a comparison, the alternatives of
     * {@code <or>}, the two bounds of {@code <range-in>}.
     *
     * @param operator       a numeric comparison, {@code <or>} or {@code <range-in>}
     * @param values         GiB
     * @param lowerInclusive for {@code <range-in>}: "[" (true) or "(" (false); else unused
     * @param upperInclusive for {@code <range-in>}: "]" (true) or ")" (false); else unused
     */
    record Size(Operator operator, List<BigDecimal> values, boolean lowerInclusive, boolean upperInclusive,
            String expression) implements Hint {
        public Size {
            Objects.requireNonNull(operator);
            values = List.copyOf(values);
            Objects.requireNonNull(expression);
        }

        @Override
        public HintKey key() {
            return HintKey.SIZE;
        }

        static BigDecimal gib(Disk disk) {
            return new BigDecimal(disk.size()).divide(HintText.GIB);
        }

        @Override
        public boolean matches(Disk disk) {
            BigDecimal gib = gib(disk);
            return switch (operator) {
                case EQ -> gib.compareTo(values.get(0)) == 0;
                case NE -> gib.compareTo(values.get(0)) != 0;
                case GE, LEGACY_EQ -> gib.compareTo(values.get(0)) >= 0;
                case GT -> gib.compareTo(values.get(0)) > 0;
                case LE -> gib.compareTo(values.get(0)) <= 0;
                case LT -> gib.compareTo(values.get(0)) < 0;
                case OR -> values.stream().anyMatch(v -> gib.compareTo(v) == 0);
                case RANGE_IN -> {
                    int low = gib.compareTo(values.get(0));
                    int high = gib.compareTo(values.get(1));
                    yield (lowerInclusive ? low >= 0 : low > 0) && (upperInclusive ? high <= 0 : high < 0);
                }
                default -> throw new IllegalStateException("size takes no " + operator);
            };
        }

        @Override
        public String valueOf(Disk disk) {
            return gib(disk).setScale(2, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString()
                    + " GiB";
        }
    }

    /**
     * A text key (model, vendor, serial, wwn*, name, hctl, by_path, tran). As Ironic does, the hint's
     * values and the disk's value are stripped and lower-cased (Python's {@code str.lower()}; no other
     * Unicode normalisation) and compared percent-encoded, as {@code urllib.parse.quote} encodes them
     * (Ironic's {@code _normalize_hint_expression}): the same for equality, and why {@code s<} and its
     * kin order "a b" as "a%20b". A disk with no value (null or blank) fails every text hint on that
     * key, whatever the operator.
     *
     * @param operator {@code s== s!= s>= s> s<= s< <in> <or> <all-in>}
     * @param values   normalised (stripped, lower-cased, not yet encoded): one operand; the
     *                 alternatives of {@code <or>}; the tokens of {@code <all-in>}
     */
    record Text(HintKey key, Operator operator, List<String> values, String expression) implements Hint {
        public Text {
            Objects.requireNonNull(key);
            Objects.requireNonNull(operator);
            values = List.copyOf(values);
            Objects.requireNonNull(expression);
        }

        @Override
        public boolean matches(Disk disk) {
            String value = HintText.normalise(key.text(disk));
            if (value.isEmpty()) {
                return false;
            }
            String device = HintText.quote(value);
            return switch (operator) {
                case S_EQ -> device.equals(HintText.quote(values.get(0)));
                case S_NE -> !device.equals(HintText.quote(values.get(0)));
                case S_LT -> device.compareTo(HintText.quote(values.get(0))) < 0;
                case S_LE -> device.compareTo(HintText.quote(values.get(0))) <= 0;
                case S_GT -> device.compareTo(HintText.quote(values.get(0))) > 0;
                case S_GE -> device.compareTo(HintText.quote(values.get(0))) >= 0;
                case IN -> device.contains(HintText.quote(values.get(0)));
                case OR -> values.stream().anyMatch(v -> device.equals(HintText.quote(v)));
                case ALL_IN -> values.stream().allMatch(v -> device.contains(HintText.quote(v)));
                default -> throw new IllegalStateException(key + " takes no " + operator);
            };
        }

        @Override
        public String valueOf(Disk disk) {
            String value = key.text(disk);
            return value == null || value.isBlank() ? "none" : "'" + value + "'";
        }
    }

    /** {@code rotational}: a boolean, compared as one (Ironic compares it itself, not through specs_matcher). */
    record Rotational(boolean value, String expression) implements Hint {
        @Override
        public HintKey key() {
            return HintKey.ROTATIONAL;
        }

        @Override
        public boolean matches(Disk disk) {
            return disk.rotational() == value;
        }

        @Override
        public String valueOf(Disk disk) {
            return Boolean.toString(disk.rotational());
        }
    }
}
