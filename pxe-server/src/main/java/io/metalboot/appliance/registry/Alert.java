package io.metalboot.appliance.registry;

import java.time.Instant;

/** Something about a machine an operator should look at (e.g. a second agent registration in one boot). */
public record Alert(Instant at, String message) {
}
