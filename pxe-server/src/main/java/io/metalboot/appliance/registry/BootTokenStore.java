package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Where boot tokens are kept, by their SHA-256 only (the token itself is never stored). A token is
 * single-use: of any number of concurrent redeems of one token, exactly one gets its machine.
 * Every implementation passes {@code BootTokenStoreContract}.
 */
public interface BootTokenStore extends AutoCloseable {
    /** Stores a token handed out at {@code issued}, good until {@code expires}. */
    void issue(MacAddress mac, String sha256, Instant issued, Instant expires) throws IOException;

    /** The machine of the unused token with this hash if it has not expired at {@code now}, the token then used up. */
    Optional<MacAddress> redeem(String sha256, Instant now) throws IOException;

    @Override
    void close() throws IOException;
}
