package io.metalboot.appliance.boot;

/**
 * How the machines a selector picks boot the agent: kernel and initrd URLs (templates:
 * {@code {server}}, {@code {http-port}}, expanded by {@link BootEndpoint}) and extra kernel arguments.
 */
public record BootProfile(String name, MachineSelector selector, String kernel, String initrd, String args) {
}
