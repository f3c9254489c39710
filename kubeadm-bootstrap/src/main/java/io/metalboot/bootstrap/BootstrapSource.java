package io.metalboot.bootstrap;

import java.util.Optional;

/**
 * Where a machine's bootstrap data comes from. Read at every call, never cached: CABPK renews the
 * join token in its Secret until the node joins, and the data delivered must be today's.
 */
public interface BootstrapSource {
    /**
     * The machine's bootstrap data as the source holds it now.
     *
     * @return empty when the source knows no such machine, or its data is not ready yet
     * @throws BootstrapException when the source names data for the machine that cannot be read
     *                            (an object missing or malformed, the API server failing)
     */
    Optional<BootstrapData> find(MachineKeys keys) throws BootstrapException;
}
