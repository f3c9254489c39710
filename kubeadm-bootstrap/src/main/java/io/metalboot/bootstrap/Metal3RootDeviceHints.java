package io.metalboot.bootstrap;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BareMetalHost's {@code spec.rootDeviceHints} as Metal³ hands them to Ironic (its
 * {@code devicehints} package), which are the hints the agent takes: exact text as {@code s==},
 * model and vendor as substrings ({@code <in>}), the size as a lower bound in GiB, rotational as a
 * boolean. A {@code deviceName} under /dev/disk/by-path/ becomes Ironic's {@code by_path} hint.
 */
final class Metal3RootDeviceHints {
    private Metal3RootDeviceHints() {
    }

    static Map<String, Object> toAgentHints(Map<String, Object> spec) {
        Map<String, Object> hints = new LinkedHashMap<>();
        String deviceName = ApiObjects.text(spec, "deviceName");
        if (deviceName != null) {
            hints.put(deviceName.startsWith("/dev/disk/by-path/") ? "by_path" : "name", "s== " + deviceName);
        }
        exact(spec, "hctl", hints, "hctl");
        contains(spec, "model", hints, "model");
        contains(spec, "vendor", hints, "vendor");
        exact(spec, "serialNumber", hints, "serial");
        if (spec.get("minSizeGigabytes") instanceof Number size && size.longValue() != 0) {
            hints.put("size", ">= " + size.longValue());
        }
        exact(spec, "wwn", hints, "wwn");
        exact(spec, "wwnWithExtension", hints, "wwn_with_extension");
        exact(spec, "wwnVendorExtension", hints, "wwn_vendor_extension");
        if (spec.get("rotational") instanceof Boolean rotational) {
            hints.put("rotational", rotational);
        }
        return hints;
    }

    private static void exact(Map<String, Object> spec, String field, Map<String, Object> hints, String hint) {
        withOperator(spec, field, hints, hint, "s== ");
    }

    private static void contains(Map<String, Object> spec, String field, Map<String, Object> hints, String hint) {
        withOperator(spec, field, hints, hint, "<in> ");
    }

    private static void withOperator(Map<String, Object> spec, String field, Map<String, Object> hints, String hint,
            String operator) {
        String value = ApiObjects.text(spec, field);
        if (value != null) {
            hints.put(hint, operator + value);
        }
    }
}
