package io.metalboot.agent.inventory;

/** Where the collector gets the BMC's addresses from: {@link BmcLanReader} on a machine. */
@FunctionalInterface
public interface BmcSource {
    /** Never throws for a machine without a BMC: that is {@link BmcAddresses#NONE}. */
    BmcAddresses read();

    /** For roots that are not this machine's (the tests' captured trees): no BMC. */
    static BmcSource none() {
        return () -> BmcAddresses.NONE;
    }
}
