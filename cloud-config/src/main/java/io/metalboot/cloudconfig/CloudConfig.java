package io.metalboot.cloudconfig;

import java.util.List;
import java.util.Optional;

/**
 * A cloud-config reduced to the keys this compiler carries out, each already checked.
 *
 * @param bootcmd    commands run first, with INSTANCE_ID exported
 * @param writeFiles files in their order; those with {@code defer: true} are written after ntp
 * @param groups     the top-level {@code groups}, created before the users
 * @param users      the {@code users} list
 * @param ntp        the time client's servers and pools
 * @param runcmd     commands run last
 */
record CloudConfig(Optional<CommandScript> bootcmd, List<WriteFile> writeFiles, List<GroupSpec> groups,
                   List<UserSpec> users, Optional<NtpSpec> ntp, Optional<CommandScript> runcmd) {
    CloudConfig {
        writeFiles = List.copyOf(writeFiles);
        groups = List.copyOf(groups);
        users = List.copyOf(users);
    }
}
