package io.metalboot.appliance.boot;

import io.metalboot.http.HttpEndpoint;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * The HTTP side of booting: {@code /boot.ipxe}, the entry script the ProxyDHCP hands iPXE, and
 * {@code /boot/machine.ipxe}, each machine's own script. A request iPXE cannot use (no MAC) still
 * gets a script — one that moves on to the next boot device — never an error page that would
 * leave the machine at an iPXE prompt.
 */
public final class BootScriptRoutes {
    private static final System.Logger LOG = System.getLogger("boot");
    private static final String IPXE = "text/plain; charset=utf-8";
    /** The entry script's path; the ProxyDHCP's default script URL points here. */
    public static final String ENTRY_PATH = "/boot.ipxe";

    private BootScriptRoutes() {
    }

    public static List<HttpRoute> routes(BootScripts scripts) {
        return List.of(
                // Rendered from memory: answered on the event loop, no virtual thread per request.
                HttpRoute.get(ENTRY_PATH, HttpEndpoint.nonBlocking(call -> HttpReply.of(200, IPXE, bytes(scripts.entry())))),
                HttpRoute.get("/boot/machine.ipxe", call -> {
                    BootRequest request;
                    try {
                        request = BootRequest.fromQuery(call.query());
                    } catch (IllegalArgumentException e) {
                        LOG.log(Level.WARNING, "script request from {0} refused: {1}", call.remote() == null
                                ? "unknown" : call.remote().getAddress().getHostAddress(), e.getMessage());
                        return HttpReply.of(200, IPXE, bytes(BootScripts.giveUp("bad request: " + e.getMessage())));
                    }
                    String script = scripts.forMachine(request,
                            call.remote() == null ? null : call.remote().getAddress());
                    if (LOG.isLoggable(Level.DEBUG)) { // not the line's search at every request
                        LOG.log(Level.DEBUG, "script for {0} ({1}): {2}", request.mac(), request.platform(),
                                script.lines().skip(1).findFirst().orElse(""));
                    }
                    return HttpReply.of(200, IPXE, bytes(script));
                }));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
