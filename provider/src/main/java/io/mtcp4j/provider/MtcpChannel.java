package io.mtcp4j.provider;

/**
 * A channel of the mtcp4j provider, which says which stack serves it: for tests and diagnostics
 * ("did this connection really go through mtcp4j?"), without reflection.
 */
public interface MtcpChannel {
    /**
     * The backend serving this channel. A listener with a kernel twin reports {@link Backend#STACK}
     * (see {@link MtcpServerSocketChannel#hasKernelTwin()}); the connections it accepts report
     * the side each came from.
     */
    Backend backend();
}
