package io.metalboot.agent.deploy.disk;

import java.util.List;

/**
 * The operators of a root-device hint expression: those of oslo.utils' {@code specs_matcher}
 * grammar, which Ironic's hints use. An expression starts with at most one; "s<=" is recognised
 * before "s<", ">=" before ">", "==" before "=" (the grammar's order). Which keys take which is
 * {@link RootDeviceHints}'s business.
 */
public enum Operator {
    // the n-ary ones first: specs_matcher tries them before the unary ones
    OR("<or>"),
    ALL_IN("<all-in>"),
    RANGE_IN("<range-in>"),
    // numeric, compared as numbers (specs_matcher's float())
    EQ("=="),
    /** The legacy "=", which means {@code >=} (specs_matcher keeps it so, for Nova's old filters). */
    LEGACY_EQ("="),
    NE("!="),
    IN("<in>"),
    GE(">="),
    LE("<="),
    GT(">"),
    LT("<"),
    // text, compared as strings
    S_EQ("s=="),
    S_NE("s!="),
    S_LE("s<="),
    S_LT("s<"),
    S_GE("s>="),
    S_GT("s>");

    private static final List<Operator> IN_GRAMMAR_ORDER = List.of(values());

    private final String spelling;

    Operator(String spelling) {
        this.spelling = spelling;
    }

    /** As written in an expression: "s==", "<range-in>". */
    public String spelling() {
        return spelling;
    }

    /** The numeric comparisons: {@code == = != >= > <= <}. */
    public boolean isNumericComparison() {
        return switch (this) {
            case EQ, LEGACY_EQ, NE, GE, GT, LE, LT -> true;
            default -> false;
        };
    }

    /** The string comparisons: {@code s== s!= s>= s> s<= s<}. */
    public boolean isStringComparison() {
        return switch (this) {
            case S_EQ, S_NE, S_GE, S_GT, S_LE, S_LT -> true;
            default -> false;
        };
    }

    /**
     * The operator {@code text} begins with, or null. Like the grammar this is a prefix test,
     * with no space needed after it: "s==big model" is {@code s==} and "big model", ">=100" is
     * {@code >=} and "100".
     */
    static Operator leading(String text) {
        for (Operator op : IN_GRAMMAR_ORDER) {
            if (text.startsWith(op.spelling)) {
                return op;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return spelling;
    }
}
