package io.metalboot.appliance.bootstrap;

import io.metalboot.appliance.registry.Machine;
import io.metalboot.bootstrap.BootstrapData;
import io.metalboot.bootstrap.BootstrapException;
import io.metalboot.bootstrap.BootstrapSource;
import io.metalboot.bootstrap.MachineKeys;
import io.metalboot.machine.SmbiosUuid;
import java.util.List;
import java.util.Optional;

/**
 * The configured sources in the config's order (Metal³'s hosts, the Cluster API machines, the
 * directory): the first that knows the machine answers. Each is read at every call, never cached.
 */
final class BootstrapSources {
    private final List<BootstrapSource> sources;

    BootstrapSources(List<BootstrapSource> sources) {
        this.sources = List.copyOf(sources);
    }

    Optional<BootstrapData> find(Machine machine) throws BootstrapException {
        MachineKeys keys = new MachineKeys(machine.mac(), machine.uuid().map(SmbiosUuid::new), machine.serial());
        for (BootstrapSource source : sources) {
            Optional<BootstrapData> data = source.find(keys);
            if (data.isPresent()) {
                return data;
            }
        }
        return Optional.empty();
    }
}
