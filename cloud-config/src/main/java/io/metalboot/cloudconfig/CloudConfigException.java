package io.metalboot.cloudconfig;

/**
 * Why bootstrap data did not compile. The message names the key, encoding or feature and never
 * holds a value from the user data (join tokens live there).
 */
public sealed class CloudConfigException extends Exception
        permits CloudConfigException.Unsupported, CloudConfigException.Malformed {
    private static final long serialVersionUID = 1L;

    CloudConfigException(String message) {
        super(message);
    }

    CloudConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Valid cloud-config that this compiler does not carry out (a key, an encoding, a Jinja feature). */
    public static final class Unsupported extends CloudConfigException {
        private static final long serialVersionUID = 1L;

        public Unsupported(String what) {
            super(what);
        }
    }

    /** Not cloud-config at all: a YAML error, a missing {@code #cloud-config} line, a bad template or value. */
    public static final class Malformed extends CloudConfigException {
        private static final long serialVersionUID = 1L;

        public Malformed(String what) {
            super(what);
        }

        public Malformed(String what, Throwable cause) {
            super(what, cause);
        }
    }
}
