package io.metalboot.machine.agent;

/**
 * metalboot's agent API, spoken between the agent in the ramdisk and the appliance's provisioning
 * listener, JSON over HTTP. The paths and the records that travel on them; the records bind to
 * JSON by their component names.
 *
 * <pre>
 * POST {base}/agent/v1/register    RegisterRequest  → RegisterResponse   (the boot token, single use)
 * POST {base}/agent/v1/heartbeat   Heartbeat        → HeartbeatResponse  (Authorization: Bearer credential)
 *                                  .report.progress: DeployProgress; .report.deployed: DeployedDisk;
 *                                  response .deploy: DeployInstructions (kind "deploy")
 * GET  {imageUrl} of the instructions (Range)     → the image             (its query: the deploy's credential)
 * POST {base}/agent/v1/inventory   the inventory    → 204                (Authorization: Bearer credential)
 * GET  {base}/agent/v1/bootstrap/{mac}             → BootstrapDelivery  (Authorization: Bearer credential;
 *                                  204: no bootstrap data for this machine; 409: no deploy is running)
 * </pre>
 * A wrong, expired, reused or another machine's token or credential is answered 401 with no
 * body, and changes nothing. Neither the token nor the credential is ever logged, on either side.
 *
 * <p>A deploy: the heartbeat response's {@code kind} is "deploy" and its {@code deploy} the
 * {@link DeployInstructions} (the same action id, and the same instructions, on every answer until
 * the agent reports how it ended). The agent heartbeats meanwhile with status "running" and its
 * latest {@link DeployProgress} in {@code progress}, then "succeeded" with the {@link DeployedDisk}
 * in {@code deployed} (a "succeeded" without it is no success), or "failed" with the reason in
 * {@code message}. The appliance's next answer after a success is "reboot". The image URL's query
 * is a credential: never logged or reported, on either side.
 *
 * <p>Bootstrap: once the image is written and verified, and before it reports "succeeded", the
 * agent asks for the machine's bootstrap data ({@link BootstrapDelivery}, read from its source at
 * that moment) and places it in the written OS with the node's own credential. The data and the
 * credential are secrets: never logged, on either side.
 */
public final class AgentProtocol {
    public static final String REGISTER = "/agent/v1/register";
    public static final String HEARTBEAT = "/agent/v1/heartbeat";
    public static final String INVENTORY = "/agent/v1/inventory";
    /** Followed by the machine's MAC: its session credential is the only one that opens it. */
    public static final String BOOTSTRAP = "/agent/v1/bootstrap/";
    /** The status of an {@link ActionReport} by which an agent that stops says why. */
    public static final String FATAL = "fatal";

    private AgentProtocol() {
    }

    /** The agent's first call: this boot's single-use token, for the machine it names. */
    public record RegisterRequest(String mac, String bootToken) {
    }

    /** The credential for the rest of this boot, and how often to heartbeat. */
    public record RegisterResponse(String credential, int heartbeatSeconds) {
    }

    /** How the action the agent was last given is going; null {@code report} when it has none. */
    public record Heartbeat(ActionReport report) {
    }

    /**
     * @param status  "running", "succeeded" or "failed" for the action {@code actionId};
     *                {@link #FATAL}: the agent itself stops (its last word, whatever action it had)
     * @param message what went wrong, or progress in words; null when there is nothing to say
     * @param progress a deploy's latest progress while it is "running"; else null
     * @param deployed a deploy's result with "succeeded": what the verified write left on the disk; else null
     */
    public record ActionReport(String actionId, String status, String message, DeployProgress progress,
            DeployedDisk deployed) {
    }

    /**
     * What to do next ({@code kind} a wire name of {@link AgentActionKind}) and when to call again.
     *
     * @param deploy what to write, when {@code kind} is "deploy"; else null
     */
    public record HeartbeatResponse(String actionId, String kind, int heartbeatSeconds, DeployInstructions deploy) {
    }
}
