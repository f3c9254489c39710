package io.metalboot.agent.inventory;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.machine.inventory.Disk;
import io.metalboot.machine.inventory.Inventory;
import io.metalboot.machine.inventory.LldpTlvHex;

/**
 * The inventory as ironic-python-agent writes it: the records' components in snake_case, and an
 * LLDP TLV as IPA's Python tuple comes out of its JSON encoder, {@code [type, "hex"]}. A disk's
 * {@code removable} is the agent's own (for the choice of a target disk) and not one of IPA's
 * fields: it is not written, and read as false.
 */
public final class InventoryJson {
    private static final ObjectMapper SNAKE = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addMixIn(LldpTlvHex.class, TlvAsPair.class)
            .addMixIn(Disk.class, DiskWithoutRemovable.class).build();

    /** machine-model has no Jackson: the array shape is said here. */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"type", "value"})
    private abstract static class TlvAsPair {
    }

    @JsonIgnoreProperties({"removable"})
    private abstract static class DiskWithoutRemovable {
    }

    private InventoryJson() {
    }

    public static String write(Inventory inventory) throws JsonProcessingException {
        return SNAKE.writeValueAsString(inventory);
    }

    public static Inventory read(String json) throws JsonProcessingException {
        return SNAKE.readValue(json, Inventory.class);
    }
}
