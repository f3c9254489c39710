package io.metalboot.images.serve;

import io.metalboot.http.HttpCall;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import io.metalboot.images.Images;
import io.metalboot.images.cache.ImageUnavailableException;
import io.metalboot.images.catalog.CatalogImage;
import io.metalboot.images.catalog.ImageOrigin;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;

/**
 * Images to machines, on the provisioning listener:
 * <pre>
 * GET|HEAD /images/{name}?machine=…&amp;expires=…&amp;deploy=…&amp;sig=…
 * </pre>
 * A wrong, expired or malformed signature, or a request that shows it is another machine's
 * ({@link MachineIdentity}), is answered 403 with an empty body, before anything is fetched or
 * opened. A valid one gets the image with Range, a strong ETag and If-None-Match/If-Range (the
 * HTTP layer's file reply); an upstream image is fetched and verified first if it is not cached
 * (502 when that fails, 503 for a local file that is not the image the catalog says; the body
 * says why in one line), and it is not evicted while it is being sent.
 */
public final class ImageRoutes {
    private static final System.Logger LOG = System.getLogger("images");
    public static final String OCTET_STREAM = "application/octet-stream";

    private final Images images;

    public ImageRoutes(Images images) {
        this.images = images;
    }

    public List<HttpRoute> routes() {
        return List.of(HttpRoute.get(DeployUrls.PATH_PREFIX + "{name}", this::serve));
    }

    private HttpReply serve(HttpCall call) throws IOException {
        String name = call.pathParameter("name");
        String machine = call.queryParameter("machine");
        DeployUrls.Verdict verdict = images.urls().verify(name, machine, call.queryParameter("expires"),
                call.queryParameter("deploy"), call.queryParameter("sig"));
        if (verdict != DeployUrls.Verdict.VALID) {
            LOG.log(Level.DEBUG, "image {0}: refused ({1}) from {2}", name, verdict, remote(call));
            return HttpReply.empty(403);
        }
        if (!images.identity().mayFetch(machine, call.remote(), call.bearerCredential())) {
            LOG.log(Level.INFO, "image {0}: a URL signed for {1} refused from {2}: another machine''s request", name,
                    machine, remote(call));
            return HttpReply.empty(403);
        }
        Optional<CatalogImage> image = images.catalog().image(name);
        if (image.isEmpty()) {
            return HttpReply.text(404, "no image " + name + "\n");
        }
        Images.Servable servable;
        try {
            servable = images.open(image.get());
        } catch (ImageUnavailableException e) {
            boolean upstream = image.get().origin() instanceof ImageOrigin.Upstream;
            return HttpReply.text(upstream ? 502 : 503, "image " + name + " is not available: "
                    + (upstream ? "its fetch failed" : "its file is not the catalog's image") + "\n");
        }
        LOG.log(Level.DEBUG, "image {0} to {1} (deploy {2}) at {3}", name, machine, call.queryParameter("deploy"),
                remote(call));
        return HttpReply.file(servable.file(), OCTET_STREAM, servable.whenDone());
    }

    private static String remote(HttpCall call) {
        return call.remote() == null ? "-" : call.remote().getAddress().getHostAddress();
    }
}
