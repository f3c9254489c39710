package io.metalboot.bootstrap;

import java.util.Objects;

/** A Secret by namespace and name (a Kubernetes SecretReference with its namespace filled in). */
public record SecretRef(String namespace, String name) {
    public SecretRef {
        Objects.requireNonNull(namespace, "a Secret reference has a namespace");
        Objects.requireNonNull(name, "a Secret reference has a name");
    }

    @Override
    public String toString() {
        return "Secret " + namespace + "/" + name;
    }
}
