package io.metalboot.agent.bootstrap;

import jnr.ffi.annotations.SaveError;

/** mount(2) and umount2(2), which the JDK does not offer, bound through jnr-ffi as the disk ioctls are (public: jnr-ffi implements it in a loader of its own). */
public interface MountLibc {
    @SaveError
    int mount(String source, String target, String filesystemType, long flags, String data);

    @SaveError
    int umount2(String target, int flags);

    void sync();

    String strerror(int errno);
}
