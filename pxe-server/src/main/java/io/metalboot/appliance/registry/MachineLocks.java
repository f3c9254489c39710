package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per machine (striped: machines whose MACs share a stripe share a lock). A write reads
 * a machine, decides and waits for its record to be durable under the machine's lock, so two
 * changes of one machine never interleave, while changes of different machines wait for their
 * fsync together (the journal's group commit). ReentrantLock, not a monitor: a virtual thread
 * waiting for its fsync while holding it does not pin its carrier.
 */
final class MachineLocks {
    private static final int STRIPE_BITS = 10;
    private static final int STRIPES = 1 << STRIPE_BITS;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    MachineLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** The lock of {@code mac}'s stripe. */
    ReentrantLock of(MacAddress mac) {
        long v = mac.value();
        int h = (int) (v ^ (v >>> 17) ^ (v >>> 31));
        return stripes[(h * 0x9E3779B9) >>> (Integer.SIZE - STRIPE_BITS)]; // Fibonacci hashing
    }
}
