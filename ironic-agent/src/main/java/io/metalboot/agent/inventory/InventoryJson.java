package io.metalboot.agent.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.machine.inventory.Inventory;

/** The inventory as ironic-python-agent writes it: the records' components in snake_case. */
public final class InventoryJson {
    private static final ObjectMapper SNAKE = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

    private InventoryJson() {
    }

    public static String write(Inventory inventory) throws JsonProcessingException {
        return SNAKE.writeValueAsString(inventory);
    }

    public static Inventory read(String json) throws JsonProcessingException {
        return SNAKE.readValue(json, Inventory.class);
    }
}
