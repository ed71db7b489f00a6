package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.tcp.TcpConnection;

/**
 * Receives a connection's readiness, aggregated: at most one call per connection per engine loop,
 * with every {@link TcpConnection#EVENT_CONNECTED EVENT_*} bit gathered since the last call.
 * Called on the engine thread; it may call the engine's application methods (write, read, close),
 * whose output goes out in the same loop.
 */
@FunctionalInterface
public interface ConnectionHandler {
    void onEvents(TcpConnection connection, int events);
}
