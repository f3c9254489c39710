package io.metalboot.agent.deploy.disk;

import io.metalboot.machine.inventory.Disk;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The keys of a root-device hint, as Ironic names them (ironic-python-agent's
 * {@code device_hints.VALID_ROOT_DEVICE_HINTS}, in its order), with the type Ironic gives each and
 * the disk field the hint is compared with.
 */
public enum HintKey {
    SIZE("size", Type.NUMBER, null),
    MODEL("model", Type.TEXT, Disk::model),
    WWN("wwn", Type.TEXT, Disk::wwn),
    SERIAL("serial", Type.TEXT, Disk::serial),
    VENDOR("vendor", Type.TEXT, Disk::vendor),
    WWN_WITH_EXTENSION("wwn_with_extension", Type.TEXT, Disk::wwnWithExtension),
    WWN_VENDOR_EXTENSION("wwn_vendor_extension", Type.TEXT, Disk::wwnVendorExtension),
    NAME("name", Type.TEXT, Disk::name),
    ROTATIONAL("rotational", Type.BOOLEAN, null),
    HCTL("hctl", Type.TEXT, Disk::hctl),
    BY_PATH("by_path", Type.TEXT, Disk::byPath),
    TRAN("tran", Type.TEXT, Disk::tran);

    /** Ironic's types: {@code int} (size, in GiB), {@code str}, {@code bool}. */
    public enum Type { NUMBER, TEXT, BOOLEAN }

    private static final Map<String, HintKey> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(HintKey::hintName, Function.identity()));

    private final String hintName;
    private final Type type;
    private final Function<Disk, String> text;

    HintKey(String hintName, Type type, Function<Disk, String> text) {
        this.hintName = hintName;
        this.type = type;
        this.text = text;
    }

    /** The key as Ironic spells it in {@code properties/root_device}: "size", "by_path". */
    public String hintName() {
        return hintName;
    }

    public Type type() {
        return type;
    }

    /** The disk's value for a text key (null when the disk has none); not for size or rotational. */
    String text(Disk disk) {
        if (text == null) {
            throw new IllegalStateException(hintName + " is not a text hint");
        }
        return text.apply(disk);
    }

    /** The key of that name, or an {@link IllegalArgumentException} that names the valid ones. */
    public static HintKey of(String name) {
        HintKey key = BY_NAME.get(name);
        if (key == null) {
            throw new IllegalArgumentException("root-device hint '" + name + "' is not one of Ironic's: "
                    + Arrays.stream(values()).map(HintKey::hintName).collect(Collectors.joining(", ")));
        }
        return key;
    }

    @Override
    public String toString() {
        return hintName;
    }
}
