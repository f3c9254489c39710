package io.metalboot.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Aligned columns for people: an upper-case header (or none, for a list of fields), then rows,
 * each cell padded to its column's widest, two spaces between columns, the last never padded.
 * An absent cell shows as "-".
 */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> header) {
        this.header = header;
    }

    static Table withHeader(String... columns) {
        return new Table(List.of(columns));
    }

    /** Name and value lines ("state:  available"), no header. */
    static Table fields() {
        return new Table(List.of());
    }

    Table row(Object... cells) {
        rows.add(Arrays.stream(cells).map(c -> c == null || c.toString().isEmpty() ? "-" : c.toString()).toList());
        return this;
    }

    /** A field: its name with a colon, then the value. */
    Table field(String name, Object value) {
        return row(name + ":", value);
    }

    void print(PrintWriter out) {
        List<List<String>> lines = new ArrayList<>();
        if (!header.isEmpty()) {
            lines.add(header);
        }
        lines.addAll(rows);
        int columns = lines.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        for (List<String> line : lines) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        for (List<String> line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                text.append(line.get(i));
                if (i < line.size() - 1) {
                    text.append(" ".repeat(widths[i] - line.get(i).length() + 2));
                }
            }
            out.println(text.toString().stripTrailing());
        }
        out.flush();
    }
}
