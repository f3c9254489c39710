package io.metalboot.bootstrap;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's inventory (IPA's JSON: {@code cpu}, {@code memory}, {@code disks}, {@code interfaces},
 * {@code system_vendor}, {@code boot}, {@code hostname}) as a BareMetalHost's {@code status.hardware},
 * in Metal³'s field names and with its conversions: the clock rounded to whole MHz and the flags
 * sorted; RAM from {@code physical_mb}; one NIC entry per address (IPv4, then IPv6) with the model
 * "vendor product" and the speed in whole Gbit/s; a disk named by its by-path link when it has one,
 * typed HDD when rotational, else NVME for /dev/nvme*, else SSD. Absent and empty values are left
 * out, as Metal³'s omitempty leaves them.
 */
final class Metal3HardwareDetails {
    private Metal3HardwareDetails() {
    }

    static Map<String, Object> fromInventory(String inventoryJson) throws BootstrapException {
        Map<String, Object> inventory = ApiObjects.parseMap(inventoryJson.getBytes(StandardCharsets.UTF_8),
                "the agent's inventory");
        Map<String, Object> hardware = new LinkedHashMap<>();
        put(hardware, "systemVendor", systemVendor(inventory.get("system_vendor")));
        put(hardware, "firmware", firmware(ApiObjects.at(inventory, "system_vendor", "firmware")));
        put(hardware, "ramMebibytes", ramMebibytes(inventory.get("memory")));
        put(hardware, "nics", nics(inventory));
        put(hardware, "storage", storage(inventory.get("disks")));
        put(hardware, "cpu", cpu(inventory.get("cpu")));
        put(hardware, "hostname", inventory.get("hostname"));
        return hardware;
    }

    private static Map<String, Object> systemVendor(Object vendor) {
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, "manufacturer", ApiObjects.at(vendor, "manufacturer"));
        put(out, "productName", ApiObjects.at(vendor, "product_name"));
        put(out, "serialNumber", ApiObjects.at(vendor, "serial_number"));
        return out;
    }

    private static Map<String, Object> firmware(Object firmware) {
        Map<String, Object> bios = new LinkedHashMap<>();
        put(bios, "date", ApiObjects.at(firmware, "build_date"));
        put(bios, "vendor", ApiObjects.at(firmware, "vendor"));
        put(bios, "version", ApiObjects.at(firmware, "version"));
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, "bios", bios);
        return out;
    }

    private static Long ramMebibytes(Object memory) {
        return ApiObjects.at(memory, "physical_mb") instanceof Number mb ? mb.longValue() : null;
    }

    private static List<Object> nics(Map<String, Object> inventory) {
        String pxeMac = ApiObjects.text(inventory, "boot", "pxe_interface");
        List<Object> nics = new ArrayList<>();
        for (Object nic : ApiObjects.list(inventory.get("interfaces"))) {
            String ipv4 = ApiObjects.text(nic, "ipv4_address");
            String ipv6 = ApiObjects.text(nic, "ipv6_address");
            if (ipv4 != null || ipv6 == null) {
                nics.add(nic(nic, ipv4, pxeMac));
            }
            if (ipv6 != null) {
                nics.add(nic(nic, ipv6, pxeMac));
            }
        }
        return nics;
    }

    private static Map<String, Object> nic(Object nic, String ip, String pxeMac) {
        Map<String, Object> out = new LinkedHashMap<>();
        String mac = ApiObjects.text(nic, "mac_address");
        put(out, "name", ApiObjects.at(nic, "name"));
        String vendor = ApiObjects.text(nic, "vendor");
        String product = ApiObjects.text(nic, "product");
        put(out, "model", ((vendor == null ? "" : vendor) + " " + (product == null ? "" : product)).strip());
        put(out, "mac", mac);
        put(out, "ip", ip);
        if (ApiObjects.at(nic, "speed_mbps") instanceof Number mbps) {
            put(out, "speedGbps", mbps.longValue() / 1000);
        }
        if (ApiObjects.at(nic, "lldp_neighbour", "vlan_id") instanceof Number vlan) {
            put(out, "vlanId", vlan.longValue());
        }
        put(out, "pxe", mac != null && mac.equalsIgnoreCase(pxeMac));
        Map<String, Object> lldp = new LinkedHashMap<>();
        put(lldp, "switchID", ApiObjects.at(nic, "lldp_neighbour", "chassis_id"));
        put(lldp, "portID", ApiObjects.at(nic, "lldp_neighbour", "port_id"));
        put(lldp, "switchSystemName", ApiObjects.at(nic, "lldp_neighbour", "system_name"));
        put(out, "lldp", lldp);
        put(out, "pciAddress", ApiObjects.at(nic, "pci_address"));
        return out;
    }

    private static List<Object> storage(Object disks) {
        List<Object> storage = new ArrayList<>();
        for (Object disk : ApiObjects.list(disks)) {
            Map<String, Object> out = new LinkedHashMap<>();
            String name = ApiObjects.text(disk, "name");
            String byPath = ApiObjects.text(disk, "by_path");
            List<Object> names = new ArrayList<>();
            if (name != null) {
                names.add(name);
            }
            if (byPath != null) {
                names.add(byPath);
            }
            boolean rotational = Boolean.TRUE.equals(ApiObjects.at(disk, "rotational"));
            put(out, "name", byPath != null ? byPath : name);
            put(out, "alternateNames", names);
            put(out, "rotational", rotational);
            put(out, "type", rotational ? "HDD" : name != null && name.startsWith("/dev/nvme") ? "NVME" : "SSD");
            put(out, "sizeBytes", ApiObjects.at(disk, "size"));
            put(out, "vendor", ApiObjects.at(disk, "vendor"));
            put(out, "model", ApiObjects.at(disk, "model"));
            put(out, "serialNumber", ApiObjects.at(disk, "serial"));
            put(out, "wwn", ApiObjects.at(disk, "wwn"));
            put(out, "wwnVendorExtension", ApiObjects.at(disk, "wwn_vendor_extension"));
            put(out, "wwnWithExtension", ApiObjects.at(disk, "wwn_with_extension"));
            put(out, "hctl", ApiObjects.at(disk, "hctl"));
            storage.add(out);
        }
        return storage;
    }

    private static Map<String, Object> cpu(Object cpu) {
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, "arch", ApiObjects.at(cpu, "architecture"));
        put(out, "model", ApiObjects.at(cpu, "model_name"));
        String frequency = ApiObjects.text(cpu, "frequency");
        if (frequency != null) {
            try {
                put(out, "clockMegahertz", new BigDecimal(frequency.strip()).setScale(0, RoundingMode.HALF_UP).longValue());
            } catch (NumberFormatException e) {
                // lscpu's text that is no number: no clock, as Metal³'s Sscanf leaves it 0
            }
        }
        List<String> flags = new ArrayList<>();
        ApiObjects.list(ApiObjects.at(cpu, "flags")).forEach(f -> flags.add(String.valueOf(f)));
        flags.sort(null);
        put(out, "flags", flags);
        put(out, "count", ApiObjects.at(cpu, "count"));
        return out;
    }

    /** Puts the value unless Metal³'s omitempty would leave it out (null, "", false, 0, empty). */
    private static void put(Map<String, Object> out, String key, Object value) {
        boolean empty = value == null || value instanceof String s && s.isEmpty() || Boolean.FALSE.equals(value)
                || value instanceof Number n && n.doubleValue() == 0 || value instanceof Map<?, ?> m && m.isEmpty()
                || value instanceof List<?> l && l.isEmpty();
        if (!empty) {
            out.put(key, value);
        }
    }
}
