package io.metalboot.bootstrap;

import io.metalboot.machine.MacAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the appliance reads of a Metal³ BareMetalHost ({@code metal3.io/v1alpha1}).
 *
 * @param namespace       its namespace
 * @param name            its name
 * @param uid             its {@code metadata.uid} (Metal³'s default meta-data {@code uuid})
 * @param bootMac         {@code spec.bootMACAddress}
 * @param image           {@code spec.image}, if set
 * @param rootDeviceHints {@code spec.rootDeviceHints} mapped to the agent's (Ironic's) hints, as Metal³ maps them
 * @param consumed        {@code spec.consumerRef} is set (a Metal3Machine, or another consumer, claimed it)
 * @param userData        {@code spec.userData}, its namespace defaulted to the host's
 * @param networkData     {@code spec.networkData}, likewise
 * @param metaData        {@code spec.metaData}, likewise
 * @param online          {@code spec.online}
 */
public record BareMetalHost(String namespace, String name, String uid, MacAddress bootMac, Optional<HostImage> image,
        Map<String, Object> rootDeviceHints, boolean consumed, Optional<SecretRef> userData,
        Optional<SecretRef> networkData, Optional<SecretRef> metaData, boolean online) {
    public BareMetalHost {
        Objects.requireNonNull(namespace, "a BareMetalHost has a namespace");
        Objects.requireNonNull(name, "a BareMetalHost has a name");
        uid = Objects.requireNonNullElse(uid, "");
        Objects.requireNonNull(bootMac, "a BareMetalHost the appliance boots has a bootMACAddress");
        image = Objects.requireNonNullElse(image, Optional.empty());
        rootDeviceHints = Map.copyOf(Objects.requireNonNullElse(rootDeviceHints, Map.of()));
        userData = Objects.requireNonNullElse(userData, Optional.empty());
        networkData = Objects.requireNonNullElse(networkData, Optional.empty());
        metaData = Objects.requireNonNullElse(metaData, Optional.empty());
    }

    /** "BareMetalHost namespace/name", for messages. */
    String describe() {
        return "BareMetalHost " + namespace + "/" + name;
    }
}
