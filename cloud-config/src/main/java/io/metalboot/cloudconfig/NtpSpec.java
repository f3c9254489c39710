package io.metalboot.cloudconfig;

import java.util.List;

/** {@code ntp}: the servers and pools the node's time client (chrony or systemd-timesyncd) is given. */
record NtpSpec(boolean enabled, List<String> servers, List<String> pools) {
    NtpSpec {
        servers = List.copyOf(servers);
        pools = List.copyOf(pools);
    }
}
