package io.metalboot.appliance;

import io.metalboot.http.HttpRoute;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Routes a service adds to a listener another service runs: a service earlier in the start order
 * (the image service) hands its routes to the provisioning listener ({@link HttpService}) and to
 * the operator listener ({@link io.metalboot.appliance.api.OperatorApiService}), which take them
 * when they are built. The operator listener's filter (the bearer token) guards what it takes.
 */
public final class ContributedRoutes {
    private final List<HttpRoute> provisioning = new CopyOnWriteArrayList<>();
    private final List<HttpRoute> operator = new CopyOnWriteArrayList<>();

    /** For machines, on the provisioning listener (their own credentials: tokens, signed URLs). */
    public void addProvisioning(List<HttpRoute> routes) {
        provisioning.addAll(routes);
    }

    /** For operators, on the operator listener, behind its bearer token and with its audit log. */
    public void addOperator(List<HttpRoute> routes) {
        operator.addAll(routes);
    }

    public List<HttpRoute> provisioning() {
        return List.copyOf(provisioning);
    }

    public List<HttpRoute> operator() {
        return List.copyOf(operator);
    }
}
