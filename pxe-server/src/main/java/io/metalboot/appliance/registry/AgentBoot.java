package io.metalboot.appliance.registry;

import java.util.Optional;

/**
 * What {@link MachineRegistry#recordAgentBoot} made of a script request: the boot's admission,
 * and the machine's fresh boot token when the machine as recorded boots the agent.
 */
public record AgentBoot(BootAdmission admission, Optional<String> token) {
}
