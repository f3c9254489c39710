package io.metalboot.appliance.tftp.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Option maps keep the order the sender used: an OACK answers in the client's own order. */
final class TftpOptions {
    private TftpOptions() {
    }

    static Map<String, String> orderedCopy(Map<String, String> options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (use an empty map)");
        }
        for (Map.Entry<String, String> option : options.entrySet()) {
            TftpStrings.requireNulFree("option name", option.getKey());
            TftpStrings.requireNulFree("option value", option.getValue());
            if (option.getKey().isEmpty()) {
                throw new IllegalArgumentException("an option name must not be empty");
            }
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }
}
