package io.metalboot.cloudconfig;

import java.util.Optional;

/**
 * One {@code write_files} entry, its content decoded as far as the compiler goes.
 *
 * @param path     absolute, normalized
 * @param data     the bytes to write; a gzip stream when {@code gzipped} (decompressed on the node)
 * @param gzipped  whether {@code data} is gzip, checked to decompress at compile time
 * @param owner    {@code user}, {@code user:group} or {@code :group} for chown; empty: leave as created
 * @param mode     the permission bits
 * @param append   append instead of replace
 * @param deferred {@code defer: true}: written after users and ntp (cloud-init's write_files_deferred)
 */
record WriteFile(String path, byte[] data, boolean gzipped, Optional<String> owner, int mode, boolean append,
                 boolean deferred) {
}
