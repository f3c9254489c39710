package io.metalboot.images.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.metalboot.http.HttpCall;
import io.metalboot.http.HttpEndpoint;
import io.metalboot.http.HttpReply;
import io.metalboot.http.HttpRoute;
import io.metalboot.images.Images;
import io.metalboot.images.cache.ImageCache;
import io.metalboot.images.cache.ImageUnavailableException;
import io.metalboot.images.cache.LocalImages;
import io.metalboot.images.catalog.CatalogException;
import io.metalboot.images.catalog.CatalogImage;
import io.metalboot.images.catalog.ImageOrigin;
import io.metalboot.images.catalog.ImageSpec;
import io.metalboot.images.catalog.ReadOnlyImageException;
import io.metalboot.images.serve.DeployUrls;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The catalog over HTTP, for the operator listener only (its bearer-token filter guards it):
 * <pre>
 * GET    /api/v1/images                     every image, with its cache state
 * GET    /api/v1/images/{name}              one image: source, format, checksum, cache state, size, last error;
 *                                           while fetched, bytesFetched of size (what the upstream announced)
 * PUT    /api/v1/images/{name}              {"url"|"path", "format", "checksum": "sha256:…", "caBundle",
 *                                           "insecure", "allowMd5"}: adds or replaces it (201 | 200)
 * DELETE /api/v1/images/{name}              removes it (204); one the config defines: 409
 * POST   /api/v1/images/{name}/signed-url   {"machine": "52:54:…", "lifetimeSeconds": N, "deploy": optional}
 *                                           → {"url", "expiresAt", "deploy"}, N at most signed-url-max-lifetime-seconds
 * </pre>
 * Errors are {@code {"error": "...", "field": "..."}} (400 names the bad field), 404, 409. A local
 * file is read through before it is accepted; an upstream image is fetched on its first request
 * (or at once with eager fetching). Every change, and every URL minted (not its signature), goes
 * to the audit log with the caller's address.
 */
public final class ImageApi {
    static final String PREFIX = "/api/v1/images";
    static final System.Logger AUDIT = System.getLogger("audit");

    private final Images images;
    private final Supplier<URI> provisioningBase;
    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** An image as the API shows it: its spec, who defined it, and its state here. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ImageView(String name, String url, String path, String format, String checksum, String caBundle,
            Boolean insecure, Boolean allowMd5, String definedBy, String state, Long size, Long bytesFetched,
            String lastServed, String lastError) {
    }

    /** The body of a signed-URL request. */
    record SignRequest(String machine, Long lifetimeSeconds, String deploy) {
    }

    record SignedUrlView(String url, String expiresAt, String machine, String deploy) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Problem(String error, String field) {
    }

    /**
     * @param provisioningBase where machines reach the provisioning listener (e.g. http://10.0.0.1:8080),
     *                         the base of the URLs minted
     */
    public ImageApi(Images images, Supplier<URI> provisioningBase) {
        this.images = images;
        this.provisioningBase = provisioningBase;
    }

    public List<HttpRoute> routes() {
        return List.of(
                HttpRoute.get(PREFIX, call -> ok(200, images.images().stream().map(this::view).toList())),
                HttpRoute.get(PREFIX + "/{name}", named((call, image) -> ok(200, view(image)))),
                HttpRoute.put(PREFIX + "/{name}", this::put),
                HttpRoute.delete(PREFIX + "/{name}", this::delete),
                HttpRoute.post(PREFIX + "/{name}/signed-url", named(this::sign)));
    }

    @FunctionalInterface
    private interface ImageEndpoint {
        HttpReply handle(HttpCall call, CatalogImage image) throws IOException;
    }

    private HttpEndpoint named(ImageEndpoint endpoint) {
        return call -> {
            String name = call.pathParameter("name");
            Optional<CatalogImage> image = images.catalog().image(name);
            return image.isEmpty() ? problem(404, "no image " + name, null) : endpoint.handle(call, image.get());
        };
    }

    ImageView view(CatalogImage image) {
        ImageSpec spec = ImageSpec.of(image);
        String state;
        Long size;
        Long bytesFetched = null;
        Instant lastServed = null;
        String lastError;
        if (image.origin() instanceof ImageOrigin.Upstream) {
            ImageCache.Status status = images.cache().status(image);
            state = status.state().name().toLowerCase(java.util.Locale.ROOT);
            size = status.size() > 0 ? status.size() : null;
            bytesFetched = status.state() == ImageCache.State.FETCHING ? status.bytesFetched() : null;
            lastServed = status.lastServed().orElse(null);
            lastError = status.lastError().orElse(null);
        } else {
            LocalImages.Status status = images.local().status(image);
            state = !status.checked() ? "unchecked" : status.valid() ? "local" : "invalid";
            size = status.valid() ? status.size() : null;
            lastError = status.lastError().orElse(null);
        }
        return new ImageView(image.name(), spec.url(), spec.path(), spec.format(), spec.checksum(), spec.caBundle(),
                spec.insecure(), spec.allowMd5(), image.definedBy().name().toLowerCase(java.util.Locale.ROOT), state,
                size, bytesFetched, lastServed == null ? null : lastServed.toString(), lastError);
    }

    private HttpReply put(HttpCall call) throws IOException {
        String name = call.pathParameter("name");
        ImageSpec spec;
        try {
            spec = json.readValue(call.body(), ImageSpec.class);
        } catch (UnrecognizedPropertyException e) {
            return problem(400, "unknown field '" + e.getPropertyName() + "' (known: url, path, format, checksum,"
                    + " caBundle, insecure, allowMd5)", e.getPropertyName());
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(JsonMappingException.Reference::getFieldName)
                    .filter(java.util.Objects::nonNull).collect(Collectors.joining("."));
            return problem(400, (field.isEmpty() ? "" : field + ": ") + "expected a JSON object of url|path, format,"
                    + " checksum, caBundle, insecure, allowMd5 (strings and booleans)", field.isEmpty() ? null : field);
        } catch (IOException e) {
            return problem(400, "not JSON: expected {\"url\"|\"path\", \"format\", \"checksum\", ...}", null);
        }
        if (spec == null) {
            return problem(400, "expected a JSON object", null);
        }
        if (spec.name() != null && !spec.name().equals(name)) {
            return problem(400, "name: the body names '" + spec.name() + "', the path '" + name + "'", "name");
        }
        CatalogImage image;
        try {
            image = spec.toImage(name, CatalogImage.DefinedBy.API);
        } catch (CatalogException e) {
            return problem(400, e.getMessage(), e.field());
        }
        Optional<CatalogImage> previous;
        try {
            previous = images.put(image);
        } catch (ReadOnlyImageException e) {
            return problem(409, e.getMessage(), null);
        } catch (ImageUnavailableException e) {
            return problem(400, "path: " + e.getMessage(), "path");
        }
        audit(call, name, (previous.isPresent() ? "replaced: " : "added: ") + describe(image));
        return ok(previous.isPresent() ? 200 : 201, view(image));
    }

    private HttpReply delete(HttpCall call) throws IOException {
        String name = call.pathParameter("name");
        Optional<CatalogImage> removed;
        try {
            removed = images.remove(name);
        } catch (ReadOnlyImageException e) {
            return problem(409, e.getMessage(), null);
        }
        if (removed.isEmpty()) {
            return problem(404, "no image " + name, null);
        }
        audit(call, name, "removed");
        return HttpReply.empty(204);
    }

    private HttpReply sign(HttpCall call, CatalogImage image) throws IOException {
        SignRequest request;
        try {
            request = json.readValue(call.body(), SignRequest.class);
        } catch (UnrecognizedPropertyException e) {
            return problem(400, "unknown field '" + e.getPropertyName() + "' (known: machine, lifetimeSeconds, deploy)",
                    e.getPropertyName());
        } catch (IOException e) {
            return problem(400, "expected {\"machine\": \"52:54:…\", \"lifetimeSeconds\": N}", null);
        }
        if (request == null || request.machine() == null) {
            return problem(400, "machine: must be set (the machine's MAC)", "machine");
        }
        Optional<String> machine = images.identity().canonical(request.machine());
        if (machine.isEmpty()) {
            return problem(400, "machine: not a machine id (a MAC such as 52:54:00:12:34:56): '" + request.machine()
                    + "'", "machine");
        }
        long max = images.maxLifetime().toSeconds();
        if (request.lifetimeSeconds() == null || request.lifetimeSeconds() < 1 || request.lifetimeSeconds() > max) {
            return problem(400, "lifetimeSeconds: must be 1.." + max + " (signed-url-max-lifetime-seconds), not "
                    + request.lifetimeSeconds(), "lifetimeSeconds");
        }
        String deploy = request.deploy() == null ? "op-" + UUID.randomUUID() : request.deploy();
        DeployUrls.SignedUrl url;
        try {
            DeployUrls.requireId("deploy", deploy);
            url = images.urls().sign(image.name(), machine.get(), deploy, Duration.ofSeconds(request.lifetimeSeconds()));
        } catch (IllegalArgumentException e) {
            return problem(400, e.getMessage(), "deploy");
        }
        audit(call, image.name(), "signed URL for " + machine.get() + ", deploy " + deploy + ", until " + url.expiresAt());
        return ok(200, new SignedUrlView(url.on(provisioningBase.get()).toString(), url.expiresAt().toString(), machine.get(),
                deploy));
    }

    /** For the audit log: an upstream URL without its query (a presigned URL's query is a credential). */
    private static String describe(CatalogImage image) {
        String source = switch (image.origin()) {
            case ImageOrigin.LocalFile file -> file.path().toString();
            case ImageOrigin.Upstream up -> up.uri().getScheme() + "://" + up.uri().getRawAuthority()
                    + up.uri().getRawPath() + (up.uri().getRawQuery() == null ? "" : "?REDACTED");
        };
        ImageSpec spec = ImageSpec.of(image);
        return source + " " + spec.format() + " " + spec.checksum();
    }

    /** Who (the caller's address) changed which image, and how; the same lines as the machines API's. */
    static void audit(HttpCall call, String image, String change) {
        AUDIT.log(Level.INFO, "{0} {1} image {2}: {3}", call.remote() == null ? "-" : call.remote().getAddress()
                .getHostAddress() + ":" + call.remote().getPort(), call.method(), image, change);
    }

    private HttpReply ok(int status, Object body) throws IOException {
        return HttpReply.json(status, json.writeValueAsBytes(body));
    }

    private HttpReply problem(int status, String message, String field) throws IOException {
        return HttpReply.json(status, json.writeValueAsBytes(new Problem(message, field)));
    }
}
