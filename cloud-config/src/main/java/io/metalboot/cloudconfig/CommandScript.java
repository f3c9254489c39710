package io.metalboot.cloudconfig;

import java.util.List;

/**
 * bootcmd or runcmd as the sh script cloud-init makes of it (util.shellify): one line per item, a
 * string item as written, a list item as argv with every word single-quoted; no {@code set -e},
 * so a failing line does not stop the next and the script's status is the last line's.
 */
record CommandScript(List<String> lines) {
    CommandScript {
        lines = List.copyOf(lines);
    }

    String text() {
        StringBuilder s = new StringBuilder("#!/bin/sh\n");
        lines.forEach(line -> s.append(line).append('\n'));
        return s.toString();
    }
}
