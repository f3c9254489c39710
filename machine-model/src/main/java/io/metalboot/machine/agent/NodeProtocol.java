package io.metalboot.machine.agent;

/**
 * How a written OS tells the appliance whether it joined: once, after its bootstrap ran, with the
 * node credential its deploy placed in it (never the agent's).
 *
 * <pre>
 * POST {base}/node/v1/report/{mac}   NodeReport → 204   (Authorization: Bearer node credential)
 * </pre>
 * A wrong, spent or another machine's credential is a 401 with no body, and changes nothing; a
 * report for a machine that is not waiting for one is a 409. The tail is stored redacted
 * (bootstrap tokens and the bootstrap data's lines), never logged as sent.
 */
public final class NodeProtocol {
    /** Followed by the machine's MAC. */
    public static final String REPORT = "/node/v1/report/";
    /** The file whose existence says the node joined (the Cluster API bootstrap provider contract). */
    public static final String SENTINEL = "/run/cluster-api/bootstrap-success.complete";

    private NodeProtocol() {
    }

    /**
     * @param status "joined" (the {@link #SENTINEL} exists) or "failed"
     * @param tail   the end of the bootstrap's output when it failed; else null
     */
    public record NodeReport(String status, String tail) {
    }
}
