package io.metalboot.appliance.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The keys whose values differ between two configs, dotted as the file spells them
 * ({@code tftp.port}). Sections (records) are walked key by key; a list, a map or a scalar is one
 * value, so a changed profile is {@code boot.profiles} and a changed mount {@code http.mounts}.
 */
public final class ChangedKeys {
    private ChangedKeys() {
    }

    public static List<String> between(ApplianceConfig before, ApplianceConfig after) {
        List<String> changed = new ArrayList<>();
        collect("", before, after, changed);
        return changed;
    }

    private static void collect(String prefix, Record before, Record after, List<String> changed) {
        for (RecordComponent component : before.getClass().getRecordComponents()) {
            String key = prefix + component.getAccessor().getAnnotation(JsonProperty.class).value();
            Object was = value(component, before);
            Object is = value(component, after);
            if (was instanceof Record wasSection && is instanceof Record isSection) {
                collect(key + ".", wasSection, isSection, changed);
            } else if (!Objects.equals(was, is)) {
                changed.add(key);
            }
        }
    }

    private static Object value(RecordComponent component, Record section) {
        try {
            return component.getAccessor().invoke(section);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of " + section, e);
        }
    }
}
