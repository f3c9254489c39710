package io.metalboot.agent.boot;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A loadable kernel module: its name as the kernel knows it ({@code -} written {@code _}, as in
 * {@code /proc/modules}) and its file, {@code /lib/modules/KVER/} plus its path in modules.dep.
 */
public record KernelModule(String name, Path path) {
    public KernelModule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
    }

    /** {@code -} and {@code _} are the same in module names; the kernel and kmod use {@code _}. */
    static String normalise(String name) {
        return name.replace('-', '_');
    }

    /** The module name of a modules.dep or modules.builtin path: {@code kernel/lib/crc-t10dif.ko.xz} is {@code crc_t10dif}. */
    static String nameOfPath(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        int ko = file.indexOf(".ko");
        return normalise(ko < 0 ? file : file.substring(0, ko));
    }
}
