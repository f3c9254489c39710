package io.metalboot.appliance.tftp.model;

/** The wire's strings are NUL-terminated: a NUL inside one could never be read back. */
final class TftpStrings {
    private TftpStrings() {
    }

    static String requireNulFree(String what, String value) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain NUL");
        }
        return value;
    }
}
