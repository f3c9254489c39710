package io.metalboot.http;

/**
 * {@link HttpCall#body()} refused a body longer than {@link HttpSettings#maxRequestBodyBytes()}.
 * Left to propagate out of the endpoint (or filter), it becomes a 413 reply.
 */
public final class RequestBodyTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long limit;

    /** @param declaredLength the Content-Length, or -1 when the body ran over the limit as it was read */
    RequestBodyTooLargeException(long declaredLength, long limit) {
        super(declaredLength >= 0
                ? "request body of " + declaredLength + " bytes, over the limit of " + limit
                : "request body over the limit of " + limit + " bytes");
        this.limit = limit;
    }

    /** The most bytes {@link HttpCall#body()} takes. */
    public long limit() {
        return limit;
    }
}
