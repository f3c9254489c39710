package io.metalboot.appliance.images;

import io.metalboot.appliance.ApplianceService;
import io.metalboot.appliance.ServiceContext;
import io.metalboot.appliance.ServiceStatus;
import io.metalboot.appliance.agent.DeployImages;
import io.metalboot.appliance.registry.DeployRequest;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.images.Images;
import io.metalboot.images.api.ImageApi;
import io.metalboot.images.cache.ImageCache;
import io.metalboot.images.cache.LocalImages;
import io.metalboot.images.catalog.CatalogImage;
import io.metalboot.images.catalog.FileImageCatalogStore;
import io.metalboot.images.serve.DeployUrls;
import io.metalboot.images.serve.ImageRoutes;
import io.metalboot.image.ImageFormat;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.DeployInstructions;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The image service in the appliance: the catalog (the config's images, read-only, and the
 * operator API's in {@code state-dir/images.json}), the cache of upstream images
 * ({@code images.cache-dir}), the signed deploy URLs (key in {@code state-dir/image-url.key}).
 * Its routes go to the other listeners: {@code GET|HEAD /images/{name}} (signed) on the
 * provisioning one, {@code /api/v1/images} on the operator one. Off when HTTP is off (no machine
 * could fetch an image).
 */
public final class ImageService implements ApplianceService {
    private static final System.Logger LOG = System.getLogger("metalboot");

    private final Images images;
    private final ServiceContext context;

    private ImageService(Images images, ServiceContext context) {
        this.images = images;
        this.context = context;
    }

    public static Optional<ApplianceService> from(ServiceContext context) throws IOException {
        ApplianceConfig config = context.config();
        if (!config.http().enabled()) {
            LOG.log(Level.INFO, "images disabled (http.enabled: false: no machine could fetch one)");
            return Optional.empty();
        }
        ApplianceConfig.Images settings = config.images();
        Path stateDir = Path.of(config.stateDir());
        Path cacheDir = settings.cacheDir() == null ? stateDir.resolve("images") : Path.of(settings.cacheDir());
        List<CatalogImage> configured = settings.catalog().stream().map(ApplianceConfig.ImageEntry::image).toList();
        FileImageCatalogStore catalog = FileImageCatalogStore.open(stateDir, configured);
        ImageCache cache;
        DeployUrls urls;
        try {
            cache = ImageCache.open(cacheDir, settings.cacheMaxBytes(),
                    Duration.ofSeconds(settings.fetchConnectTimeoutSeconds()), context.clock());
            urls = DeployUrls.openOrCreate(stateDir, context.clock());
        } catch (IOException | RuntimeException e) {
            catalog.close();
            throw e;
        }
        Images images = new Images(catalog, cache, new LocalImages(), urls,
                new AgentMachineIdentity(context.registry(), context.agents()),
                Duration.ofSeconds(settings.signedUrlMaxLifetimeSeconds()), settings.fetchEagerly());
        ImageService service = new ImageService(images, context);
        context.agents().deployImagesFrom(service.deployImages());
        context.routes().addProvisioning(new ImageRoutes(images).routes());
        context.routes().addOperator(new ImageApi(images, service::provisioningBase).routes());
        return Optional.of(service);
    }

    /** Where machines reach the provisioning listener: boot.base-url, expanded (the bound port once HTTP is up). */
    URI provisioningBase() {
        return URI.create(context.endpoint().expand(context.config().boot().baseUrl()));
    }

    /**
     * The URL through which {@code machine} fetches {@code image} for deploy {@code deployId}:
     * what the appliance hands an agent with a deploy. Signed for that machine and deploy only,
     * valid for {@code lifetime}.
     */
    public DeployUrls.SignedUrl deployUrl(String image, MacAddress machine, String deployId, Duration lifetime) {
        return images.urls().sign(image, machine.toString(), deployId, lifetime);
    }

    /** {@link #deployUrl} as an absolute URL on the provisioning listener. */
    public URI deployUri(String image, MacAddress machine, String deployId, Duration lifetime) {
        return deployUrl(image, machine, deployId, lifetime).on(provisioningBase());
    }

    public Images images() {
        return images;
    }

    /**
     * What the agent sessions hand an agent with a deploy: a catalog image's URL signed for that
     * machine and deploy ({@link DeployImages#URL_LIFETIME}), with the catalog's checksum and format.
     */
    DeployImages deployImages() {
        return new DeployImages() {
            @Override
            public boolean hasImage(String name) {
                return images.catalog().image(name).isPresent();
            }

            @Override
            public DeployInstructions instructions(MacAddress mac, DeployRequest deploy) {
                if (deploy.image() == null) {
                    return DeployImages.external(deploy);
                }
                CatalogImage image = images.catalog().image(deploy.image()).orElseThrow(() ->
                        new IllegalStateException("image " + deploy.image() + " is no longer in the catalog"));
                return new DeployInstructions(deploy.id(),
                        deployUri(image.name(), mac, deploy.id(), DeployImages.URL_LIFETIME).toString(),
                        image.checksum().toString(), image.format().map(ImageFormat::label).orElse("detect"),
                        deploy.rootDeviceHints(), deploy.readBack());
            }
        };
    }

    @Override
    public void start() {
        // Local files are read through (and, eagerly, upstream ones fetched) off the start path:
        // a request before that is done waits for it.
        Thread.ofVirtual().name("images-check").start(() -> images.start());
        LOG.log(Level.INFO, "images: {0} in the catalog, cache {1} (max {2} bytes)",
                Integer.toString(images.images().size()), images.cache().dir(), Long.toString(images.cache().maxBytes()));
    }

    @Override
    public ServiceStatus status() {
        return ServiceStatus.of("images");
    }

    @Override
    public void close() {
        images.close();
    }
}
