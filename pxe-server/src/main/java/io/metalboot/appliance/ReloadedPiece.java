package io.metalboot.appliance;

import java.util.Optional;

/**
 * One piece of the config that a running service applied again on reload, by its key as the file
 * spells it ({@code boot.templates}): what it holds now (counts, a directory; never a secret), or
 * why it stayed as it was.
 */
public record ReloadedPiece(String key, String holds, Optional<String> error) {
    public static ReloadedPiece applied(String key, String holds) {
        return new ReloadedPiece(key, holds, Optional.empty());
    }

    public static ReloadedPiece failed(String key, String error) {
        return new ReloadedPiece(key, "", Optional.of(error));
    }
}
