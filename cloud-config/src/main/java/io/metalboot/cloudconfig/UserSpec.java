package io.metalboot.cloudconfig;

import java.util.List;
import java.util.Optional;

/**
 * One {@code users} entry. Options that useradd takes apply only when the user is created, as in
 * cloud-init; the lock, sudo rules and keys apply to an existing user too.
 */
record UserSpec(String name, Optional<String> gecos, List<String> groups, Optional<String> homedir,
                Optional<String> hashedPasswd, Optional<String> primaryGroup, Optional<String> shell,
                boolean system, Optional<String> uid, boolean noCreateHome, boolean lockPasswd,
                List<String> sudoRules, List<String> sshAuthorizedKeys) {
    UserSpec {
        groups = List.copyOf(groups);
        sudoRules = List.copyOf(sudoRules);
        sshAuthorizedKeys = List.copyOf(sshAuthorizedKeys);
    }
}
