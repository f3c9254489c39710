package io.metalboot.images.catalog;

import java.util.List;

class InMemoryImageCatalogStoreTest extends ImageCatalogStoreContract {
    @Override
    ImageCatalogStore open(List<CatalogImage> fromConfig) {
        return new InMemoryImageCatalogStore(fromConfig);
    }
}
