package io.metalboot.lab;

/** Whatever plays the ProxyDHCP + PXE boot server in the appliance namespace. */
interface ProxyDhcpServer extends AutoCloseable {
    /** Its log, line by line. */
    Journal<String> log();

    /** Still running (a crash during a scenario explains a missing answer). */
    boolean isAlive();

    @Override
    void close();
}
