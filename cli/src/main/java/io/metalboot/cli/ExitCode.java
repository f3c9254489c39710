package io.metalboot.cli;

/** What {@code metalboot} exits with; the README's table and the usage text say the same. */
enum ExitCode {
    /** Done as asked. */
    OK(0),
    /** It could not be done: no connection, the appliance's own error (5xx), a local file, a deploy or fetch that failed. */
    FAILED(1),
    /** The command line does not parse (picocli's code for invalid input). */
    USAGE(2),
    /** No such machine or image (404). */
    NOT_FOUND(3),
    /** The appliance refused: the token (401, 403), the machine's state (409), a value (400). */
    REFUSED(4);

    final int code;

    ExitCode(int code) {
        this.code = code;
    }
}
