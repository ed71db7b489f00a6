package io.mtcp4j.provider;

import io.mtcp4j.stack.api.Stack;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/**
 * The mtcp4j {@link SelectorProvider}: TCP channels and selectors on the user-level stack, with
 * the kernel behind everything the stack does not own. Install it for an unmodified application
 * with {@code -Djava.nio.channels.spi.SelectorProvider=io.mtcp4j.provider.MtcpSelectorProvider}
 * (plus {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}, see {@link PlatformProvider}), or
 * through the mtcp4j agent.
 *
 * <ul>
 *   <li>{@link #openSocketChannel()} and {@link #openServerSocketChannel()} make
 *       {@link MtcpSocketChannel} and {@link MtcpServerSocketChannel}, which choose their backend
 *       when they bind or connect: the stack for the stack's addresses ({@code 127.0.0.1} and
 *       {@code ::1} with the embedded stack), the kernel otherwise;</li>
 *   <li>{@link #openSelector()} makes an {@link MtcpSelector}, which serves both kinds of channel
 *       and also the platform provider's channels;</li>
 *   <li>datagram channels, pipes, Unix-domain channels and the inherited channel are the
 *       platform provider's own.</li>
 * </ul>
 *
 * <p>The no-argument constructor (the one the JDK calls) uses the process-wide embedded stack,
 * configured from {@code mtcp4j.*} system properties ({@link MtcpConfig}); a bad value fails
 * here, at start. {@link #MtcpSelectorProvider(MtcpConfig)} gives a provider its own stack.
 */
public class MtcpSelectorProvider extends SelectorProvider {
    private final EmbeddedStack embedded;
    private final boolean privateStack;

    /** The provider over the process-wide embedded stack, configured from system properties. */
    public MtcpSelectorProvider() {
        this.embedded = EmbeddedStack.shared();
        this.privateStack = false;
    }

    /** A provider with its own embedded stack (started on first use; {@link #close()} stops it). */
    public MtcpSelectorProvider(MtcpConfig config) {
        this.embedded = new EmbeddedStack(Objects.requireNonNull(config, "config"), "mtcp4j-" + Integer.toHexString(System.identityHashCode(this)));
        this.privateStack = true;
    }

    /** The configuration this provider runs with. */
    public MtcpConfig config() {
        return embedded.config();
    }

    /** The stack serving this provider's stack channels, started now if it was not (counters, tests). */
    public Stack stack() {
        return embedded.stack();
    }

    EmbeddedStack embedded() {
        return embedded;
    }

    /** Stops a provider's own stack; the process-wide stack runs until the JVM exits. */
    public void close() {
        if (privateStack) {
            embedded.close();
        }
    }

    // ------------------------------------------------------------------------------ TCP and selectors

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return new MtcpSocketChannel(this, (StandardProtocolFamily) null);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        Objects.requireNonNull(family);
        if (family == StandardProtocolFamily.UNIX) {
            return PlatformProvider.get().openSocketChannel(family);
        }
        return new MtcpSocketChannel(this, checkInet(family));
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return new MtcpServerSocketChannel(this, null);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        Objects.requireNonNull(family);
        if (family == StandardProtocolFamily.UNIX) {
            return PlatformProvider.get().openServerSocketChannel(family);
        }
        return new MtcpServerSocketChannel(this, checkInet(family));
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return new MtcpSelector(this);
    }

    private static StandardProtocolFamily checkInet(ProtocolFamily family) {
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new UnsupportedOperationException("Protocol family not supported");
        }
        return (StandardProtocolFamily) family;
    }

    // ------------------------------------------------------------------------------ the platform's

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return PlatformProvider.get().openDatagramChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return PlatformProvider.get().openDatagramChannel(family);
    }

    @Override
    public Pipe openPipe() throws IOException {
        return PlatformProvider.get().openPipe();
    }

    @Override
    public Channel inheritedChannel() throws IOException {
        return PlatformProvider.available() ? PlatformProvider.get().inheritedChannel() : null;
    }

    @Override
    public String toString() {
        return "MtcpSelectorProvider[" + embedded.config() + "]";
    }
}
