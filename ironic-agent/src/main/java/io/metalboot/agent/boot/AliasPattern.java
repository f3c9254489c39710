package io.metalboot.agent.boot;

/**
 * One modules.alias pattern, matched as kmod matches it: fnmatch(3) without flags, so {@code *}
 * and {@code ?} match any characters (a {@code /} too), {@code [...]} a set or range
 * ({@code [!...]} or {@code [^...]} its complement) and a backslash makes the next character
 * literal. Written out rather than translated to a regex: the index matches thousands of these
 * per modalias, and most fail within a character or two. {@code line} is its place in modules.alias,
 * the order in which matches are given.
 */
record AliasPattern(String pattern, String module, int line) {
    /** The part before the first wildcard or escape: every string the pattern matches starts with it. */
    String literalPrefix() {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '\\') {
                return pattern.substring(0, i);
            }
        }
        return pattern;
    }

    boolean matches(String text) {
        return matches(pattern, text);
    }

    static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        // Where the last * was and the text position it is tried against now: on a mismatch, that
        // star takes one more character (the classic linear backtracking; one star's retry is enough).
        int starP = -1;
        int starT = -1;
        while (t < text.length()) {
            if (p < pattern.length()) {
                char c = pattern.charAt(p);
                if (c == '*') {
                    starP = p++;
                    starT = t;
                    continue;
                }
                int next = matchOne(pattern, p, text.charAt(t));
                if (next >= 0) {
                    p = next;
                    t++;
                    continue;
                }
            }
            if (starP < 0) {
                return false;
            }
            p = starP + 1;
            t = ++starT;
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /** Matches one character at pattern position p: the position after that pattern element, or -1. */
    private static int matchOne(String pattern, int p, char c) {
        char first = pattern.charAt(p);
        if (first == '?') {
            return p + 1;
        }
        if (first == '\\' && p + 1 < pattern.length()) {
            return pattern.charAt(p + 1) == c ? p + 2 : -1;
        }
        if (first == '[') {
            int end = bracketEnd(pattern, p);
            if (end > 0) {
                return bracketMatches(pattern, p, end, c) ? end + 1 : -1;
            }
            // An unclosed [ is an ordinary character, as fnmatch has it.
        }
        return first == c ? p + 1 : -1;
    }

    /** The index of the ] that closes the bracket expression at p, or -1. A ] right after [ or [! is a member. */
    private static int bracketEnd(String pattern, int p) {
        int i = p + 1;
        if (i < pattern.length() && (pattern.charAt(i) == '!' || pattern.charAt(i) == '^')) {
            i++;
        }
        if (i < pattern.length() && pattern.charAt(i) == ']') {
            i++;
        }
        for (; i < pattern.length(); i++) {
            if (pattern.charAt(i) == ']') {
                return i;
            }
        }
        return -1;
    }

    private static boolean bracketMatches(String pattern, int open, int close, char c) {
        int i = open + 1;
        boolean negated = pattern.charAt(i) == '!' || pattern.charAt(i) == '^';
        if (negated) {
            i++;
        }
        boolean found = false;
        while (i < close) {
            char low = pattern.charAt(i);
            if (i + 2 < close && pattern.charAt(i + 1) == '-') {
                found |= low <= c && c <= pattern.charAt(i + 2);
                i += 3;
            } else {
                found |= low == c;
                i++;
            }
        }
        return found != negated;
    }
}
