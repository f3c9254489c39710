package io.metalboot.appliance.config;

/** A config value the appliance cannot run with; {@code key} is its dotted path, e.g. {@code dhcp.port}. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
