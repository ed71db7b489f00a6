package io.mtcp4j.provider;

/** Which network stack serves a channel of the mtcp4j provider. */
public enum Backend {
    /** Not decided yet: an unbound, unconnected channel decides at bind or connect. */
    NONE,
    /** The user-level stack (mtcp4j's engines). */
    STACK,
    /** The kernel, through a channel of the JDK's platform provider. */
    KERNEL
}
