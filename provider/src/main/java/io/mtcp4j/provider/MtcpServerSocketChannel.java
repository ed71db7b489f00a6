package io.mtcp4j.provider;

import io.mtcp4j.stack.api.ReadinessSubscriber;
import io.mtcp4j.stack.api.StackChannel;
import io.mtcp4j.stack.api.StackServerSocket;
import io.mtcp4j.stack.api.StackSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening {@code ServerSocketChannel} of the mtcp4j provider. Its template is
 * {@code sun.nio.ch.ServerSocketChannelImpl}.
 *
 * <h2>Kernel twin</h2>
 * Every server channel has a kernel channel from the platform provider, opened with it, in
 * non-blocking mode. Options go to it, so their defaults and checks are the JDK's own. When the
 * channel binds to an address the stack serves (the wildcard, or {@code 127.0.0.1} or {@code ::1}
 * with the embedded stack) it listens on the stack too, on the port the kernel bound: the kernel
 * channel is then the listener's <em>twin</em>, so that other processes (a health check, a
 * client that does not use mtcp4j) still reach it, as Onload and VMA do. Otherwise the kernel
 * channel is the whole listener. The kernel binds first, so "Address already in use" and the
 * ephemeral port are the kernel's answers; if the stack cannot take that port (another stack
 * listener shares it through {@code SO_REUSEPORT}), the channel listens on the kernel only.
 *
 * <p>Without the platform provider ({@link PlatformProvider}: no {@code --add-exports} while
 * mtcp4j is the system provider) there is no kernel side: a listener on a stack address is a
 * stack listener alone, with the stack's options ({@code SO_RCVBUF}, {@code SO_REUSEADDR}), and
 * other addresses fail with the platform provider's message.
 *
 * <h2>Accept</h2>
 * {@link #accept()} takes from both sides, alternating which it tries first. In blocking mode it
 * waits on both through a private JDK selector holding the twin, which the stack listener's
 * readiness subscriber wakes; between {@code begin()} and {@code end()} as the JDK's, so that an
 * interrupt closes the channel and a close from another thread ends the wait. Accepted channels
 * are {@link MtcpSocketChannel}s in blocking mode with the backend of the side they came from.
 */
public final class MtcpServerSocketChannel extends ServerSocketChannel implements MtcpChannel, Selectable {
    private final MtcpSelectorProvider mtcpProvider;
    private final StandardProtocolFamily family;
    private final SelectorKeys selectorKeys = new SelectorKeys();
    private static final Set<SocketOption<?>> STACK_ONLY_OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR);

    /** The kernel listener: the twin, or the whole listener. Non-blocking; closed with this channel. Null without the platform provider. */
    private final ServerSocketChannel kernel;
    /** Without a kernel side: options set before bind. Under stateLock. */
    private final java.util.Map<SocketOption<?>, Object> stackOnlyOptions = new java.util.HashMap<>();

    /** Serializes accepts; held while a blocking accept waits. */
    private final ReentrantLock acceptLock = new ReentrantLock();
    /** Guards binding. */
    private final Object stateLock = new Object();

    private volatile StackServerSocket stack;
    private volatile boolean bound;
    private volatile Thread acceptThread;

    /**
     * Waits for either side in a blocking accept; created on first need by the accepting thread
     * (under acceptLock), published before the twin is registered with it, so that a close
     * either finds it (and closes it, waking the accept) or makes the registration fail.
     */
    private volatile Selector waitSelector;
    /** The server socket adaptor, made on demand. Under stateLock. */
    private ServerSocket adaptor;
    /** Under acceptLock: which side the next accept tries first. */
    private boolean kernelFirst;

    MtcpServerSocketChannel(MtcpSelectorProvider provider, StandardProtocolFamily family) throws IOException {
        super(provider);
        this.mtcpProvider = provider;
        this.family = family;
        if (!PlatformProvider.available()) {
            this.kernel = null;
            stackOnlyOptions.put(StandardSocketOptions.SO_REUSEADDR, true);
            stackOnlyOptions.put(StandardSocketOptions.SO_RCVBUF, provider.config().receiveBufferBytes());
            return;
        }
        ServerSocketChannel channel = family == null ? PlatformProvider.get().openServerSocketChannel()
                : PlatformProvider.get().openServerSocketChannel(family);
        try {
            channel.configureBlocking(false);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        this.kernel = channel;
    }

    // ------------------------------------------------------------------------------ identity

    /** STACK once it listens on the stack (with its twin, {@link #hasKernelTwin()}); KERNEL when bound on the kernel only. */
    @Override
    public Backend backend() {
        return stack != null ? Backend.STACK : bound ? Backend.KERNEL : Backend.NONE;
    }

    /** Whether it listens on the stack and, for everyone else, on the kernel. */
    public boolean hasKernelTwin() {
        return stack != null && kernel != null;
    }

    /** The stack listener, or null. */
    public StackServerSocket stackServerSocket() {
        return stack;
    }

    @Override
    public StackChannel stackChannel() {
        return stack;
    }

    @Override
    public SelectableChannel kernelChannel() {
        return kernel;
    }

    @Override
    public SelectorKeys selectorKeys() {
        return selectorKeys;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    // ------------------------------------------------------------------------------ bind

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (bound) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress requested = local == null ? new InetSocketAddress(0) : checkAddress(local);
            EmbeddedStack embedded = mtcpProvider.embedded();
            InetAddress address = requested.getAddress();
            if (kernel == null) {
                bindStackOnly(embedded, requested, backlog);
                bound = true;
            } else {
                kernel.bind(requested, backlog);
                bound = true;
            }
            if (kernel != null && embedded.listensOn(address)) {
                int port = ((InetSocketAddress) kernel.getLocalAddress()).getPort();
                StackServerSocket listener = embedded.stack().openServerSocket();
                listener.attach(this);
                try {
                    listener.bind(new InetSocketAddress(address, port), backlog);
                    stack = listener;
                } catch (IOException e) {
                    listener.close(); // the stack's port is taken: the kernel alone serves this listener
                }
            }
        }
        selectorKeys.backendChanged();
        return this;
    }

    /** Under stateLock, without a kernel side: the stack alone listens, or the platform provider's message. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void bindStackOnly(EmbeddedStack embedded, InetSocketAddress requested, int backlog) throws IOException {
        if (!embedded.listensOn(requested.getAddress())) {
            PlatformProvider.get(); // throws, saying how to reach the kernel
        }
        StackServerSocket listener = embedded.stack().openServerSocket();
        listener.attach(this);
        for (java.util.Map.Entry<SocketOption<?>, Object> option : stackOnlyOptions.entrySet()) {
            listener.setOption((SocketOption) option.getKey(), option.getValue());
        }
        try {
            listener.bind(requested, backlog);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        stack = listener;
    }

    private InetSocketAddress checkAddress(SocketAddress address) {
        Objects.requireNonNull(address);
        if (!(address instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        if (family == StandardProtocolFamily.INET && !(isa.getAddress() instanceof Inet4Address)) {
            throw new UnsupportedAddressTypeException();
        }
        return isa;
    }

    // ------------------------------------------------------------------------------ accept

    @Override
    public SocketChannel accept() throws IOException {
        return accept(false, 0);
    }

    /**
     * The server socket adaptor's accept: blocking mode only, waiting at most {@code timeoutMs}.
     *
     * @throws java.net.SocketTimeoutException "Accept timed out"
     * @throws IllegalBlockingModeException    in non-blocking mode
     */
    SocketChannel blockingAccept(int timeoutMs) throws IOException {
        return accept(true, timeoutMs);
    }

    private SocketChannel accept(boolean adaptor, int timeoutMs) throws IOException {
        acceptLock.lock();
        try {
            ensureOpen();
            boolean blocking = isBlocking();
            if (adaptor && !blocking) {
                throw new IllegalBlockingModeException();
            }
            long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            SocketChannel accepted = null;
            try {
                if (blocking) {
                    begin();
                }
                synchronized (stateLock) {
                    ensureOpen();
                    if (!bound) {
                        throw new NotYetBoundException();
                    }
                    if (blocking) {
                        acceptThread = Thread.currentThread();
                    }
                }
                accepted = acceptNow();
                if (blocking) {
                    while (accepted == null && isOpen()) {
                        long waitNs = 0;
                        if (timeoutMs > 0) {
                            waitNs = deadlineNs - System.nanoTime();
                            if (waitNs <= 0) {
                                throw new SocketTimeoutException("Accept timed out");
                            }
                        }
                        awaitAcceptable(waitNs);
                        begin(); // the wait selector's own begin replaced ours: re-arm it (an interrupt closes this channel)
                        accepted = acceptNow();
                    }
                }
            } finally {
                if (blocking) {
                    acceptThread = null;
                    end(accepted != null);
                }
            }
            return accepted;
        } finally {
            acceptLock.unlock();
        }
    }

    /** One try on each side, the first alternating; null when neither has a connection. */
    private SocketChannel acceptNow() throws IOException {
        StackServerSocket listener = stack;
        if (listener == null) {
            return wrap(kernel.accept());
        }
        if (kernel == null) {
            return wrap(listener.accept());
        }
        kernelFirst = !kernelFirst;
        if (kernelFirst) {
            SocketChannel fromKernel = kernel.accept();
            return fromKernel != null ? wrap(fromKernel) : wrap(listener.accept());
        }
        StackSocket fromStack = listener.accept();
        return fromStack != null ? wrap(fromStack) : wrap(kernel.accept());
    }

    private SocketChannel wrap(SocketChannel fromKernel) {
        return fromKernel == null ? null : new MtcpSocketChannel(mtcpProvider, fromKernel);
    }

    /** A stack connection as a channel; like a kernel socket it inherits the listener's SO_REUSEADDR. */
    private SocketChannel wrap(StackSocket fromStack) throws IOException {
        if (fromStack == null) {
            return null;
        }
        fromStack.setOption(StandardSocketOptions.SO_REUSEADDR, getOption(StandardSocketOptions.SO_REUSEADDR));
        return new MtcpSocketChannel(mtcpProvider, fromStack);
    }

    /** Under acceptLock: waits (at most {@code waitNs}; 0: no limit) until either side may have a connection, or a close or interrupt. */
    private void awaitAcceptable(long waitNs) throws IOException {
        if (kernel == null) {
            stack.awaitReady(io.mtcp4j.stack.api.Readiness.ACCEPT, waitNs, TimeUnit.NANOSECONDS);
            return;
        }
        Selector selector = waitSelector;
        if (selector == null) {
            selector = PlatformProvider.get().openSelector();
            waitSelector = selector;
            kernel.register(selector, SelectionKey.OP_ACCEPT);
            Selector wake = selector;
            StackServerSocket listener = stack;
            if (listener != null) {
                listener.subscribe(new ReadinessSubscriber() {
                    @Override
                    public void ready(StackChannel channel, int readyOps) {
                    }

                    @Override
                    public void wakeup() {
                        wake.wakeup();
                    }
                });
            }
            return; // subscribed only now: an event before this woke nobody, so the caller looks again first
        }
        try {
            if (waitNs > 0) {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNs + 999_999)));
            } else {
                selector.select();
            }
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            // closed with this channel: the caller sees it closed
        }
    }

    // ------------------------------------------------------------------------------ close, mode

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        StackServerSocket listener = stack;
        if (listener != null) {
            listener.close();
        }
        try {
            if (kernel != null) {
                kernel.close();
            }
        } finally {
            Selector selector = waitSelector;
            if (selector != null) {
                selector.close(); // wakes a blocked accept
            }
            Thread waiter = acceptThread;
            if (waiter != null && selector == null) {
                java.util.concurrent.locks.LockSupport.unpark(waiter);
            }
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        acceptLock.lock();
        try {
            ensureOpen(); // the kernel listener stays non-blocking: accept waits itself
        } finally {
            acceptLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------ addresses, options

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        if (kernel == null) {
            StackServerSocket listener = stack;
            return listener == null ? null : listener.localAddress();
        }
        return kernel.getLocalAddress();
    }

    /** The {@code java.net.ServerSocket} view of this channel ({@link MtcpServerSocketAdaptor}), made on first call. */
    @Override
    public ServerSocket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                adaptor = new MtcpServerSocketAdaptor(this);
            }
            return adaptor;
        }
    }

    /** The local address without exceptions: null when unbound or closed. */
    InetSocketAddress localAddressOrNull() {
        try {
            return (InetSocketAddress) getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return kernel != null ? kernel.supportedOptions() : STACK_ONLY_OPTIONS;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name);
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
        ensureOpen();
        if (kernel != null) {
            kernel.setOption(name, value);
            return this;
        }
        synchronized (stateLock) {
            StackServerSocket listener = stack;
            if (listener != null) {
                listener.setOption(name, value);
            } else if (name == StandardSocketOptions.SO_RCVBUF && (Integer) value < 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size");
            }
            stackOnlyOptions.put(name, value);
        }
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name);
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        ensureOpen();
        if (kernel != null) {
            return kernel.getOption(name);
        }
        synchronized (stateLock) {
            StackServerSocket listener = stack;
            if (listener != null) {
                return listener.getOption(name);
            }
            @SuppressWarnings("unchecked")
            T value = (T) stackOnlyOptions.get(name);
            return value;
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(ServerSocketChannel.class.getName()).append('[');
        if (!isOpen()) {
            return text.append("closed]").toString();
        }
        try {
            SocketAddress local = getLocalAddress();
            text.append(local == null ? "unbound" : local.toString());
        } catch (IOException e) {
            text.append("closed");
        }
        return text.append(" backend=").append(backend()).append(']').toString();
    }
}
