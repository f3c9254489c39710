package io.metalboot.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The operator API's bearer token, in the file the appliance keeps it in ({@code STATE-DIR/api.token},
 * mode 0600). Whoever can read the file is an operator. The token is never printed, nor any part of
 * the file: errors name the file and why it could not be used.
 */
record TokenFile(Path path) {
    static final String FILE_NAME = "api.token";
    /** What can stand in an Authorization header: printable ASCII, no spaces. */
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{1,1024}");

    static TokenFile in(Path stateDir) {
        return new TokenFile(stateDir.resolve(FILE_NAME));
    }

    String read() {
        String token;
        try {
            token = Files.readString(path, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw unusable("no such file (the appliance makes it in its state directory at its first start:"
                    + " --state-dir DIR or --token-file FILE if it is elsewhere)");
        } catch (AccessDeniedException e) {
            throw unusable("permission denied (it is mode 0600, the operator's alone: run as root, or as the user"
                    + " the appliance runs as)");
        } catch (CharacterCodingException e) {
            throw unusable("not a token (expected one line of printable ASCII)");
        } catch (IOException e) {
            throw unusable(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        if (!TOKEN.matcher(token).matches()) {
            throw unusable(token.isEmpty() ? "empty" : "not a token (expected one line of printable ASCII)");
        }
        return token;
    }

    private CommandFailure unusable(String why) {
        return CommandFailure.failed("cannot read the API token from " + path + ": " + why);
    }
}
