package io.metalboot.agent.boot;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/** What {@link KernelModuleLoader} asks of the kernel: which modules are in, and putting one in. */
public interface ModuleInserter {
    /** The names of the loaded modules ({@code _}, not {@code -}). */
    Set<String> loadedModules() throws IOException;

    /** Loads one module file with these parameters ({@code key=value}); its dependencies are loaded already. */
    Insertion insert(KernelModule module, List<String> parameters) throws IOException, InterruptedException;

    /** How an insert went; {@code message} says why it failed, else it is empty. */
    record Insertion(Outcome outcome, String message) {
        public static Insertion loaded() {
            return new Insertion(Outcome.LOADED, "");
        }

        public static Insertion alreadyLoaded() {
            return new Insertion(Outcome.ALREADY_LOADED, "");
        }

        public static Insertion failed(String message) {
            return new Insertion(Outcome.FAILED, message);
        }
    }

    enum Outcome {
        LOADED,
        /** EEXIST: loaded meanwhile (the kernel's own request_module, another pass): not an error. */
        ALREADY_LOADED,
        FAILED
    }
}
