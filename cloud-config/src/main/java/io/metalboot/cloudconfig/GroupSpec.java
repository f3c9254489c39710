package io.metalboot.cloudconfig;

import java.util.List;

/** One top-level {@code groups} entry: a group to create and the existing users to add to it. */
record GroupSpec(String name, List<String> members) {
    GroupSpec {
        members = List.copyOf(members);
    }
}
