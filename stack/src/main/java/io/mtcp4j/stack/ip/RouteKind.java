package io.mtcp4j.stack.ip;

/** How a route reaches its destinations. */
public enum RouteKind {
    /** The destination is on the link (a connected subnet): resolve the destination itself. */
    ON_LINK,
    /** Through a router on the link: resolve the gateway. */
    GATEWAY,
    /**
     * The destination is this host: one of its addresses, or the loopback range. Deliver the packet
     * in-process (the loopback device); it never goes out of an interface or through a neighbour cache.
     */
    LOCAL
}
