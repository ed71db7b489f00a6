/**
 * The NIO provider: {@link io.mtcp4j.provider.MtcpSelectorProvider}, a
 * {@code java.nio.channels.spi.SelectorProvider} whose TCP channels run on the user-level stack
 * for the stack's addresses and on the kernel for the rest, so that an unmodified NIO application
 * adopts mtcp4j with {@code -Djava.nio.channels.spi.SelectorProvider=io.mtcp4j.provider.MtcpSelectorProvider}.
 *
 * <ul>
 *   <li>{@link io.mtcp4j.provider.MtcpSocketChannel} and {@link io.mtcp4j.provider.MtcpServerSocketChannel}
 *       choose their {@link io.mtcp4j.provider.Backend} when they bind or connect; a loopback
 *       listener also listens on the kernel (its twin). {@link io.mtcp4j.provider.MtcpChannel#backend()}
 *       tells which, for tests and diagnostics.</li>
 *   <li>{@code MtcpSelector} serves both kinds of channel: engine readiness events for stack
 *       channels, an inner JDK selector for kernel ones.</li>
 *   <li>{@code EmbeddedStack}: with no device configured, one stack per process on an in-process
 *       loopback device owning {@code 127.0.0.1} and {@code ::1}, configured by
 *       {@link io.mtcp4j.provider.MtcpConfig} ({@code mtcp4j.*} system properties).</li>
 *   <li>{@code PlatformProvider}: how the JDK's own provider, which makes every kernel channel,
 *       is reached while mtcp4j is the system provider.</li>
 * </ul>
 * Semantics (states, exceptions, option defaults, close and interrupt behaviour) are the JDK's,
 * after {@code sun.nio.ch}; the {@code compat-tests} module runs the same tests against both.
 */
package io.mtcp4j.provider;
