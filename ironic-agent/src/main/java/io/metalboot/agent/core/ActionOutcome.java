package io.metalboot.agent.core;

/**
 * How an action ended.
 *
 * @param inventoryJson for {@code inspect}: the inventory to send (IPA's JSON), else null
 */
public record ActionOutcome(boolean succeeded, String message, String inventoryJson) {
    public static ActionOutcome ok() {
        return new ActionOutcome(true, null, null);
    }

    public static ActionOutcome inventory(String json) {
        return new ActionOutcome(true, null, json);
    }

    public static ActionOutcome failed(String message) {
        return new ActionOutcome(false, message, null);
    }
}
