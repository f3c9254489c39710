package io.metalboot.machine.inventory;

import java.util.List;

/**
 * IPA {@code inventory["cpu"]} ({@code hardware.CPU}).
 *
 * @param modelName    IPA {@code model_name}: the processor's name, e.g. "Intel(R) Xeon(R) Gold 6230".
 * @param frequency    IPA {@code frequency}: MHz, as text, because IPA sends lscpu's text ("2100.0000"
 *                     or "2445.439"), a JSON string, not a number. Null when unknown.
 * @param count        IPA {@code count}: logical CPUs (lscpu's {@code CPU(s)}), required, at least 0.
 * @param architecture IPA {@code architecture}: the kernel's machine name, e.g. "x86_64", "aarch64".
 * @param flags        IPA {@code flags}: the CPU feature flags, in the kernel's order.
 * @param socketCount  IPA {@code socket_count}: physical packages (lscpu's {@code Socket(s)}); null
 *                     when unknown.
 */
public record Cpu(String modelName, String frequency, int count, String architecture, List<String> flags,
        Integer socketCount) {
    public Cpu {
        if (count < 0) {
            throw new IllegalArgumentException("cpu count is at least 0, not " + count);
        }
        if (socketCount != null && socketCount < 0) {
            throw new IllegalArgumentException("cpu socket_count is at least 0, not " + socketCount);
        }
        flags = flags == null ? List.of() : List.copyOf(flags);
    }
}
