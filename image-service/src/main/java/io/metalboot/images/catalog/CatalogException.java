package io.metalboot.images.catalog;

/** A catalog entry that cannot be: {@link #field()} names what is wrong (as the API and the config spell it). */
public final class CatalogException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public CatalogException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The message without the field's name in front. */
    public String detail() {
        return getMessage().substring(field.length() + 2);
    }
}
