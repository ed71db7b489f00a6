package io.mtcp4j.provider;

import io.mtcp4j.stack.api.Readiness;
import io.mtcp4j.stack.api.Stack;
import io.mtcp4j.stack.api.StackChannel;
import io.mtcp4j.stack.api.StackSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP {@code SocketChannel} of the mtcp4j provider, on the stack or on the kernel. Its template
 * is {@code sun.nio.ch.SocketChannelImpl}: the same states, exceptions, blocking and interrupt
 * behaviour.
 *
 * <h2>Backend</h2>
 * A new channel has none ({@link Backend#NONE}); it decides when it connects or binds:
 * <ul>
 *   <li>{@code connect} to an address the stack owns ({@code 127.0.0.1} or {@code ::1} with the
 *       embedded stack) whose port has a listener of the stack ({@link Stack#hasListener}, a map
 *       lookup): {@link Backend#STACK}, a {@link StackSocket};</li>
 *   <li>any other {@code connect} (another address; a loopback port no listener of this JVM's
 *       stack serves, such as a database in another process), and every {@code bind}: a kernel
 *       delegate, a channel of the platform provider, to which each operation is passed.
 *       (The stack has no bind for active opens yet; a bound client reaching a stack listener
 *       arrives through the listener's kernel twin.)</li>
 * </ul>
 * Channels accepted by an {@link MtcpServerSocketChannel} are born with the backend of the side
 * they came from. Options set before the backend exists are kept and applied to it.
 *
 * <h2>Stack backend: locks, states, blocking</h2>
 * The read lock serializes readers and the write lock writers (connect and finishConnect take
 * both), as the JDK's; {@link #stateLock} guards state changes and the backend choice. The state
 * only increases: unconnected, connection pending, connected, closed. In blocking mode an
 * operation that cannot complete parks in {@link StackChannel#awaitReady} (virtual threads
 * too) between {@code begin()} and {@code end()}, so that an interrupt closes the channel
 * ({@link ClosedByInterruptException}) and a close from another thread ends the wait
 * ({@link AsynchronousCloseException}). Closing is immediate: the stack socket closes (a FIN
 * after the bytes written, or a RST with {@code SO_LINGER} 0) even while the channel is still
 * registered with a selector.
 *
 * <h2>Kernel backend</h2>
 * Operations go to the delegate, which has this channel's blocking mode; an interrupt that
 * closes the delegate, and a failed connect, close this channel too.
 */
public final class MtcpSocketChannel extends SocketChannel implements MtcpChannel, Selectable {
    private static final int ST_UNCONNECTED = 0;
    private static final int ST_PENDING = 1;
    private static final int ST_CONNECTED = 2;
    private static final int ST_CLOSED = 3;

    private final MtcpSelectorProvider mtcpProvider;
    /** INET, INET6 or null (dual stack, the JDK's default). */
    private final StandardProtocolFamily family;
    private final SelectorKeys selectorKeys = new SelectorKeys();

    /** Serializes readers; connect and finishConnect take it too. */
    private final ReentrantLock readLock = new ReentrantLock();
    /** Serializes writers; connect and finishConnect take it too. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guards state changes, the choice of backend and the options kept before it. */
    private final Object stateLock = new Object();

    private volatile int state;
    private volatile Backend backend = Backend.NONE;
    private volatile StackSocket stack;
    private volatile SocketChannel kernel;

    // ---- stack backend, under stateLock to change
    private volatile InetSocketAddress localAddress;
    private volatile InetSocketAddress remoteAddress;
    private volatile boolean inputClosed;
    private volatile boolean outputClosed;
    private volatile Thread readerThread;
    private volatile Thread writerThread;

    /** Options set before a backend existed, as given (applied to it) and as the JDK would report them. Under stateLock. */
    private final Map<SocketOption<?>, Object> optionsGiven = new LinkedHashMap<>();
    private final Map<SocketOption<?>, Object> optionsReported = new LinkedHashMap<>();
    /** The socket adaptor, made on demand. Under stateLock. */
    private Socket adaptor;

    MtcpSocketChannel(MtcpSelectorProvider provider, StandardProtocolFamily family) {
        super(provider);
        this.mtcpProvider = provider;
        this.family = family;
    }

    /** A connection the stack accepted. */
    MtcpSocketChannel(MtcpSelectorProvider provider, StackSocket accepted) {
        this(provider, (StandardProtocolFamily) null);
        accepted.attach(this);
        this.stack = accepted;
        this.localAddress = accepted.localAddress();
        this.remoteAddress = accepted.remoteAddress();
        this.state = ST_CONNECTED;
        this.backend = Backend.STACK;
    }

    /** A connection the kernel twin accepted (in blocking mode, as the JDK returns it). */
    MtcpSocketChannel(MtcpSelectorProvider provider, SocketChannel accepted) {
        this(provider, (StandardProtocolFamily) null);
        this.kernel = accepted;
        this.state = ST_CONNECTED;
        this.backend = Backend.KERNEL;
    }

    // ------------------------------------------------------------------------------ identity

    @Override
    public Backend backend() {
        return backend;
    }

    /** The stack socket behind a stack channel (its counters, {@link StackSocket#info()}), or null. */
    public StackSocket stackSocket() {
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

    // ------------------------------------------------------------------------------ checks

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** For reads and writes on the stack: by {@link #state}, as the JDK's {@code ensureOpenAndConnected}. */
    private StackSocket ensureStackConnected() throws ClosedChannelException {
        int s = state;
        if (s < ST_CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (s > ST_CONNECTED) {
            throw new ClosedChannelException();
        }
        return stack;
    }

    /** Where the JDK's {@code checkRemote} sends a connect: the wildcard means loopback. */
    private InetSocketAddress checkRemote(SocketAddress remote) {
        InetSocketAddress isa = checkAddress(remote);
        InetAddress address = isa.getAddress();
        if (address.isAnyLocalAddress()) {
            return new InetSocketAddress(address instanceof Inet4Address ? InetAddress.getLoopbackAddress()
                    : loopback6(), isa.getPort());
        }
        return isa;
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

    private static InetAddress loopback6() {
        try {
            return InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------------------ backend choice

    /** Under stateLock: the stack for a stack address with a stack listener, else null. */
    private StackSocket stackFor(InetSocketAddress remote) throws IOException {
        EmbeddedStack embedded = mtcpProvider.embedded();
        if (!embedded.owns(remote.getAddress())) {
            return null;
        }
        Stack running = embedded.startedOrNull();
        if (running == null || !running.hasListener(remote.getAddress(), remote.getPort())) {
            return null;
        }
        StackSocket socket = running.openSocket();
        socket.attach(this);
        for (Map.Entry<SocketOption<?>, Object> option : optionsReported.entrySet()) {
            applyToStack(socket, option.getKey(), option.getValue());
        }
        return socket;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void applyToStack(StackSocket socket, SocketOption name, Object value) throws IOException {
        if (socket.supportedOptions().contains(name)) {
            if ((name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) && (Integer) value <= 0) {
                return; // the JDK allows 0 (the kernel's minimum); the stack keeps its ring size
            }
            socket.setOption(name, value);
        }
    }

    /** Under stateLock: a kernel delegate with this channel's mode and options. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private SocketChannel openKernel() throws IOException {
        SocketChannel delegate = family == null ? PlatformProvider.get().openSocketChannel()
                : PlatformProvider.get().openSocketChannel(family);
        try {
            delegate.configureBlocking(isBlocking());
            for (Map.Entry<SocketOption<?>, Object> option : optionsGiven.entrySet()) {
                delegate.setOption((SocketOption) option.getKey(), option.getValue());
            }
        } catch (IOException | RuntimeException e) {
            delegate.close();
            throw e;
        }
        return delegate;
    }

    /** A kernel delegate failed: a connect failure or an interrupt closed it, so this channel closes too. */
    private IOException kernelFailed(IOException e) {
        try {
            close();
        } catch (IOException ignored) {
            // closing a delegate that failed
        }
        return e;
    }

    // ------------------------------------------------------------------------------ bind, connect

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                SocketChannel delegate;
                boolean created = false;
                synchronized (stateLock) {
                    ensureOpen();
                    if (state == ST_PENDING) {
                        throw new ConnectionPendingException();
                    }
                    if (backend == Backend.STACK) {
                        throw new AlreadyBoundException(); // connected, so bound
                    }
                    if (local != null) {
                        checkAddress(local);
                    }
                    delegate = kernel;
                    if (delegate == null) {
                        delegate = openKernel();
                        kernel = delegate;
                        backend = Backend.KERNEL;
                        created = true;
                    }
                }
                if (created) {
                    selectorKeys.backendChanged();
                }
                delegate.bind(local);
                return this;
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        return connect(remote, false, 0);
    }

    /**
     * The socket adaptor's connect: blocking mode only, waiting at most {@code timeoutMs} (0: no limit).
     *
     * @throws java.net.SocketTimeoutException "Connect timed out" (the channel is closed then)
     * @throws IllegalBlockingModeException    in non-blocking mode
     */
    void blockingConnect(SocketAddress remote, int timeoutMs) throws IOException {
        connect(remote, true, timeoutMs);
    }

    private boolean connect(SocketAddress remote, boolean adaptor, int timeoutMs) throws IOException {
        InetSocketAddress isa = checkRemote(remote);
        SocketChannel delegate;
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    ensureOpen();
                    if (adaptor && !isBlocking()) {
                        throw new IllegalBlockingModeException();
                    }
                    StackSocket socket;
                    boolean created = false;
                    synchronized (stateLock) {
                        ensureOpen();
                        if (backend == Backend.NONE) {
                            socket = stackFor(isa);
                            if (socket != null) {
                                stack = socket;
                                backend = Backend.STACK;
                            } else {
                                kernel = openKernel();
                                backend = Backend.KERNEL;
                            }
                            created = true;
                        }
                        delegate = kernel;
                        socket = stack;
                    }
                    if (created) {
                        selectorKeys.backendChanged();
                    }
                    if (delegate == null) {
                        return stackConnect(socket, isa, timeoutMs);
                    }
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            close(); // a failed connect closes the channel, as the JDK's
            throw e;
        }
        try {
            if (adaptor) {
                delegate.socket().connect(isa, timeoutMs);
                return true;
            }
            return delegate.connect(isa);
        } catch (IOException e) {
            throw kernelFailed(e);
        }
    }

    /** Under the read and write locks; {@code timeoutMs} limits a blocking connect (0: no limit). */
    private boolean stackConnect(StackSocket socket, InetSocketAddress remote, int timeoutMs) throws IOException {
        boolean blocking = isBlocking();
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean connected = false;
        try {
            if (blocking) {
                begin();
            }
            synchronized (stateLock) {
                ensureOpen();
                if (state == ST_CONNECTED) {
                    throw new AlreadyConnectedException();
                }
                if (state == ST_PENDING) {
                    throw new ConnectionPendingException();
                }
                state = ST_PENDING;
                remoteAddress = remote;
                if (blocking) {
                    readerThread = Thread.currentThread();
                }
            }
            socket.connect(remote);
            if (blocking) {
                while (isOpen()) {
                    if (socket.finishConnect()) {
                        connected = true;
                        break;
                    }
                    long waitNs = 0;
                    if (timeoutMs > 0) {
                        waitNs = deadlineNs - System.nanoTime();
                        if (waitNs <= 0) {
                            throw new SocketTimeoutException("Connect timed out");
                        }
                    }
                    socket.awaitReady(Readiness.CONNECT, waitNs, TimeUnit.NANOSECONDS);
                }
            }
        } finally {
            endConnect(blocking, connected);
        }
        return connected;
    }

    private void endConnect(boolean blocking, boolean connected) throws IOException {
        if (blocking) {
            readerThread = null;
            end(connected);
        }
        if (connected) {
            synchronized (stateLock) {
                if (state == ST_PENDING) {
                    localAddress = stack.localAddress();
                    state = ST_CONNECTED;
                }
            }
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        SocketChannel delegate = kernel;
        if (delegate != null) {
            try {
                return delegate.finishConnect();
            } catch (IOException e) {
                throw kernelFailed(e);
            }
        }
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (isConnected()) {
                        return true;
                    }
                    ensureOpen();
                    boolean blocking = isBlocking();
                    boolean connected = false;
                    try {
                        if (blocking) {
                            begin();
                        }
                        synchronized (stateLock) {
                            ensureOpen();
                            if (state != ST_PENDING) {
                                throw new NoConnectionPendingException();
                            }
                            if (blocking) {
                                readerThread = Thread.currentThread();
                            }
                        }
                        StackSocket socket = stack;
                        connected = socket.finishConnect();
                        if (blocking) {
                            while (!connected && isOpen()) {
                                socket.awaitReady(Readiness.CONNECT, 0, TimeUnit.NANOSECONDS);
                                connected = socket.finishConnect();
                            }
                        }
                        connected = connected && isOpen();
                    } finally {
                        endConnect(blocking, connected);
                    }
                    return connected;
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    @Override
    public boolean isConnected() {
        SocketChannel delegate = kernel;
        return delegate != null ? delegate.isConnected() : state == ST_CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        SocketChannel delegate = kernel;
        return delegate != null ? delegate.isConnectionPending() : state == ST_PENDING;
    }

    // ------------------------------------------------------------------------------ read

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        SocketChannel delegate = kernel;
        if (delegate != null) {
            try {
                return delegate.read(dst);
            } catch (ClosedByInterruptException e) {
                throw kernelFailed(e);
            }
        }
        return (int) stackRead(dst, null, 0, 0);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        SocketChannel delegate = kernel;
        if (delegate != null) {
            try {
                return delegate.read(dsts, offset, length);
            } catch (ClosedByInterruptException e) {
                throw kernelFailed(e);
            }
        }
        return stackRead(null, dsts, offset, length);
    }

    /** A read on the stack into {@code one}, or into {@code many[offset..offset+length)} when {@code one} is null. */
    private long stackRead(ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
        readLock.lock();
        try {
            StackSocket socket = ensureStackConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginRead(blocking);
                if (inputClosed) {
                    return -1;
                }
                n = one != null ? socket.read(one) : socket.read(many, offset, length);
                if (blocking) {
                    while (n == 0 && hasRemaining(one, many, offset, length)
                            && isOpen() && !inputClosed) {
                        socket.awaitReady(Readiness.READ, 0, TimeUnit.NANOSECONDS);
                        n = one != null ? socket.read(one) : socket.read(many, offset, length);
                    }
                }
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && inputClosed) {
                    return -1;
                }
            }
            return n;
        } finally {
            readLock.unlock();
        }
    }

    private void beginRead(boolean blocking) throws ClosedChannelException {
        if (blocking) {
            begin();
            synchronized (stateLock) {
                ensureOpen();
                readerThread = Thread.currentThread();
            }
        }
    }

    private void endRead(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            readerThread = null;
            end(completed);
        }
    }

    private static boolean hasRemaining(ByteBuffer one, ByteBuffer[] many, int offset, int length) {
        return one != null ? one.hasRemaining() : hasRemaining(many, offset, length);
    }

    private static boolean hasRemaining(ByteBuffer[] buffers, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------ write

    /**
     * Non-blocking: what the send ring takes now. Blocking: all of {@code src}, waiting for room
     * (the JDK's blocking write returns only after writing every byte).
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        SocketChannel delegate = kernel;
        if (delegate != null) {
            try {
                return delegate.write(src);
            } catch (ClosedByInterruptException e) {
                throw kernelFailed(e);
            }
        }
        return (int) stackWrite(src, null, 0, 0);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        SocketChannel delegate = kernel;
        if (delegate != null) {
            try {
                return delegate.write(srcs, offset, length);
            } catch (ClosedByInterruptException e) {
                throw kernelFailed(e);
            }
        }
        return stackWrite(null, srcs, offset, length);
    }

    /** A write on the stack from {@code one}, or from {@code many[offset..offset+length)} when {@code one} is null. */
    private long stackWrite(ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
        writeLock.lock();
        try {
            StackSocket socket = ensureStackConnected();
            boolean blocking = isBlocking();
            long n = 0;
            boolean completed = false;
            try {
                beginWrite(blocking);
                n = one != null ? socket.write(one) : socket.write(many, offset, length);
                if (blocking) {
                    while (hasRemaining(one, many, offset, length) && isOpen()) {
                        socket.awaitReady(Readiness.WRITE, 0, TimeUnit.NANOSECONDS);
                        n += one != null ? socket.write(one) : socket.write(many, offset, length);
                    }
                }
                // A blocking write ends early only when closed.
                completed = blocking ? !hasRemaining(one, many, offset, length) : n > 0;
            } finally {
                endWrite(blocking, completed);
                if (n <= 0 && outputClosed) {
                    throw new AsynchronousCloseException(); // what the JDK's write reports after shutdownOutput
                }
            }
            return n;
        } finally {
            writeLock.unlock();
        }
    }

    private void beginWrite(boolean blocking) throws ClosedChannelException {
        if (blocking) {
            begin();
            synchronized (stateLock) {
                ensureOpen();
                if (outputClosed) {
                    throw new ClosedChannelException();
                }
                writerThread = Thread.currentThread();
            }
        }
    }

    private void endWrite(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            writerThread = null;
            end(completed);
        }
    }

    // ------------------------------------------------------------------------------ shutdown, close

    @Override
    public SocketChannel shutdownInput() throws IOException {
        SocketChannel delegate = kernel;
        if (delegate != null) {
            delegate.shutdownInput();
            return this;
        }
        synchronized (stateLock) {
            ensureOpen();
            if (!isConnected()) {
                throw new NotYetConnectedException();
            }
            if (inputClosed) {
                return this;
            }
            stack.shutdownInput();
            inputClosed = true;
            unpark(readerThread);
        }
        selectorKeys.readinessChanged();
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        SocketChannel delegate = kernel;
        if (delegate != null) {
            delegate.shutdownOutput();
            return this;
        }
        synchronized (stateLock) {
            ensureOpen();
            if (!isConnected()) {
                throw new NotYetConnectedException();
            }
            if (outputClosed) {
                return this;
            }
            stack.shutdownOutput();
            outputClosed = true;
            unpark(writerThread);
        }
        selectorKeys.readinessChanged();
        return this;
    }

    private static void unpark(Thread thread) {
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Closes the stack socket (gracefully, or with a RST when {@code SO_LINGER} is 0) or the
     * kernel delegate. A thread blocked on this channel wakes and sees it closed.
     */
    @Override
    protected void implCloseSelectableChannel() throws IOException {
        synchronized (stateLock) {
            state = ST_CLOSED;
        }
        StackSocket socket = stack;
        if (socket != null) {
            socket.close(); // wakes threads in awaitReady
        }
        SocketChannel delegate = kernel;
        if (delegate != null) {
            delegate.close();
        }
        unpark(readerThread);
        unpark(writerThread);
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    SocketChannel delegate = kernel;
                    if (delegate != null) {
                        if (block) {
                            releaseInnerKeys(delegate);
                        }
                        delegate.configureBlocking(block);
                    }
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Before the delegate may block: cancels its keys with the inner selectors of the mtcp4j
     * selectors this channel was registered with. This channel has no valid key (the caller
     * checked), but a selector drops the delegate's inner key only at its next select.
     */
    private void releaseInnerKeys(SocketChannel delegate) {
        selectorKeys.forEachInnerSelector(inner -> {
            SelectionKey key = delegate.keyFor(inner);
            if (key != null) {
                key.cancel();
            }
        });
    }

    // ------------------------------------------------------------------------------ addresses

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        SocketChannel delegate = kernel;
        if (delegate != null) {
            return delegate.getLocalAddress();
        }
        ensureOpen();
        return state == ST_CONNECTED ? localAddress : null;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        SocketChannel delegate = kernel;
        if (delegate != null) {
            return delegate.getRemoteAddress();
        }
        ensureOpen();
        return remoteAddress;
    }

    /** The {@code java.net.Socket} view of this channel ({@link MtcpSocketAdaptor}), made on first call. */
    @Override
    public Socket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                adaptor = MtcpSocketAdaptor.create(this);
            }
            return adaptor;
        }
    }

    // ------------------------------------------------------------------------------ for the socket adaptor

    /**
     * A blocking read into an array for the adaptor's input stream, waiting at most
     * {@code timeoutMs} (0: no limit), as the JDK's {@code SocketChannelImpl.blockingRead}.
     *
     * @return bytes read, or -1 at end of stream
     * @throws java.net.SocketTimeoutException "Read timed out"
     * @throws IllegalBlockingModeException    in non-blocking mode
     */
    int blockingRead(byte[] b, int off, int len, int timeoutMs) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        SocketChannel delegate = kernel;
        if (delegate != null) {
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            try {
                Socket socket = delegate.socket();
                socket.setSoTimeout(timeoutMs);
                return socket.getInputStream().read(b, off, len);
            } catch (ClosedByInterruptException e) {
                throw kernelFailed(e);
            }
        }
        readLock.lock();
        try {
            StackSocket socket = ensureStackConnected();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            ByteBuffer dst = ByteBuffer.wrap(b, off, len);
            long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            int n = 0;
            try {
                beginRead(true);
                if (inputClosed) {
                    return -1;
                }
                n = socket.read(dst);
                while (n == 0 && isOpen() && !inputClosed) {
                    long waitNs = 0;
                    if (timeoutMs > 0) {
                        waitNs = deadlineNs - System.nanoTime();
                        if (waitNs <= 0) {
                            throw new SocketTimeoutException("Read timed out");
                        }
                    }
                    socket.awaitReady(Readiness.READ, waitNs, TimeUnit.NANOSECONDS);
                    n = socket.read(dst);
                }
            } finally {
                endRead(true, n > 0);
                if (n <= 0 && inputClosed) {
                    return -1;
                }
            }
            return n;
        } finally {
            readLock.unlock();
        }
    }

    /** All of {@code b[off..off+len)}, for the adaptor's output stream; blocking mode only. */
    void blockingWriteFully(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        if (!isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        SocketChannel delegate = kernel;
        if (delegate != null) {
            try {
                delegate.socket().getOutputStream().write(b, off, len);
            } catch (ClosedByInterruptException e) {
                throw kernelFailed(e);
            }
            return;
        }
        write(ByteBuffer.wrap(b, off, len)); // blocking: writes everything
    }

    /** Bytes a read returns now without waiting. */
    int available() throws IOException {
        SocketChannel delegate = kernel;
        if (delegate != null) {
            return delegate.socket().getInputStream().available();
        }
        synchronized (stateLock) {
            StackSocket socket = ensureStackConnected();
            return inputClosed ? 0 : socket.available();
        }
    }

    boolean isInputOpen() {
        SocketChannel delegate = kernel;
        return delegate != null ? !delegate.socket().isInputShutdown() : !inputClosed;
    }

    boolean isOutputOpen() {
        SocketChannel delegate = kernel;
        return delegate != null ? !delegate.socket().isOutputShutdown() : !outputClosed;
    }

    /** The local address without exceptions: null when unbound or closed. */
    InetSocketAddress localAddressOrNull() {
        try {
            return (InetSocketAddress) getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** The remote address without exceptions: null when unconnected or closed. */
    InetSocketAddress remoteAddressOrNull() {
        try {
            return (InetSocketAddress) getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** Urgent data: the kernel's; the stack has none. */
    void sendUrgentData(int data) throws IOException {
        SocketChannel delegate = kernel;
        if (delegate == null) {
            throw new java.net.SocketException("Urgent data not supported by mtcp4j stack connections");
        }
        delegate.socket().sendUrgentData(data);
    }

    // ------------------------------------------------------------------------------ options

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptionTable.get().supported();
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name);
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
        SocketChannel delegate = kernel;
        if (delegate != null) {
            delegate.setOption(name, value);
            return this;
        }
        synchronized (stateLock) {
            ensureOpen();
            delegate = kernel;
            if (delegate != null) {
                delegate.setOption(name, value);
                return this;
            }
            Object reported = SocketOptionTable.get().normalize(name, value);
            StackSocket socket = stack;
            if (socket != null) {
                applyToStack(socket, name, reported);
            }
            optionsGiven.put(name, value);
            optionsReported.put(name, reported);
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name);
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        SocketChannel delegate = kernel;
        if (delegate != null) {
            return delegate.getOption(name);
        }
        synchronized (stateLock) {
            ensureOpen();
            delegate = kernel;
            if (delegate != null) {
                return delegate.getOption(name);
            }
            StackSocket socket = stack;
            if (socket != null && socket.supportedOptions().contains(name)) {
                return socket.getOption(name);
            }
            Object value = optionsReported.get(name);
            return (T) (value != null ? value : SocketOptionTable.get().defaultValue(name));
        }
    }

    // ------------------------------------------------------------------------------ misc

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(SocketChannel.class.getName()).append('[');
        if (!isOpen()) {
            text.append("closed");
        } else if (isConnected()) {
            text.append("connected");
        } else if (isConnectionPending()) {
            text.append("connection-pending");
        } else {
            text.append("unconnected");
        }
        try {
            SocketAddress local = getLocalAddress();
            SocketAddress remote = getRemoteAddress();
            if (local != null) {
                text.append(" local=").append(local);
            }
            if (remote != null) {
                text.append(" remote=").append(remote);
            }
        } catch (IOException ignored) {
            // closed meanwhile
        }
        return text.append(" backend=").append(backend).append(']').toString();
    }
}
