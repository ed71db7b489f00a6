/**
 * The stack's own socket API: {@link io.mtcp4j.stack.api.Stack} (engines over a device),
 * {@link io.mtcp4j.stack.api.StackSocket} and {@link io.mtcp4j.stack.api.StackServerSocket}.
 *
 * <p>It is non-blocking and thread-safe: application threads read and write the connection's
 * rings directly and leave the owning engine notices on its MPSC command queue; engines report
 * readiness to {@link io.mtcp4j.stack.api.ReadinessSubscriber}s at most once per subscriber per
 * loop, and wake threads blocked in {@link io.mtcp4j.stack.api.StackChannel#awaitReady}. The
 * NIO provider adapts it to {@code SocketChannel}, {@code ServerSocketChannel} and
 * {@code Selector}; an application may use it directly. Errors are the JDK's exceptions for the
 * same condition.
 */
package io.mtcp4j.stack.api;
