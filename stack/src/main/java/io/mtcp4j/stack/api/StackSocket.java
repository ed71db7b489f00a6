package io.mtcp4j.stack.api;

import io.mtcp4j.stack.engine.ConnectionHandler;
import io.mtcp4j.stack.engine.Engine;
import io.mtcp4j.stack.ip.NextHop;
import io.mtcp4j.stack.tcp.ByteRing;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpConnectionInfo;
import io.mtcp4j.stack.tcp.TcpEndpoints;
import io.mtcp4j.stack.tcp.TcpError;
import io.mtcp4j.stack.tcp.TcpState;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One TCP connection of a {@link Stack}, from the application's side: the stack's own socket,
 * which the NIO provider adapts to {@code SocketChannel} and which an application may use directly.
 *
 * <h2>Threads</h2>
 * Every method may be called from any application thread; none blocks except
 * {@link #awaitReady}. Reads and writes never enter the engine (mTCP's first idea): {@link #read}
 * copies out of the connection's receive ring and {@link #write} into its send ring, both
 * single-producer single-consumer rings shared with the engine thread, and then leave the engine
 * a <em>notice</em> (this socket, queued at most once on the engine's MPSC command queue until
 * the engine has run it) so that it sends the new data or announces the opened window. Concurrent
 * readers are serialized by a read lock and concurrent writers by a write lock, as the JDK's
 * channels do; the engine never takes either.
 *
 * <h2>States</h2>
 * A socket starts unconnected; {@link #connect} starts a non-blocking open whose completion is
 * reported as {@link Readiness#CONNECT} and taken with {@link #finishConnect()}. Sockets returned
 * by {@link StackServerSocket#accept()} are connected. What happens on the wire (FIN, RST,
 * timeouts) reaches this side as engine-published flags that reads, writes and
 * {@link #readyOps()} consult.
 *
 * <h2>Errors</h2>
 * The exceptions the JDK throws for the same condition: {@link ConnectException} "Connection
 * refused" / "Connection timed out", {@link SocketException} "Connection reset",
 * {@link NoRouteToHostException}, {@link BindException} when no local port is free,
 * {@link ClosedChannelException}, {@link NotYetConnectedException},
 * {@link AlreadyConnectedException}, {@link ConnectionPendingException},
 * {@link NoConnectionPendingException}.
 */
public final class StackSocket extends StackChannel implements ConnectionHandler {
    private static final int UNCONNECTED = 0;
    private static final int CONNECTING = 1;
    private static final int CONNECTED = 2;

    /** Engine-published flags ({@link #engineFlags}). */
    private static final int ESTABLISHED = 1;
    private static final int FIN_RECEIVED = 1 << 1;
    private static final int TERMINATED = 1 << 2;

    /** Notice bits: what the application did that the engine must act on. */
    private static final int NOTICE_SEND = 1;
    private static final int NOTICE_READ = 1 << 1;
    private static final int NOTICE_SHUTDOWN_INPUT = 1 << 2;
    private static final int NOTICE_SHUTDOWN_OUTPUT = 1 << 3;
    private static final int NOTICE_CLOSE = 1 << 4;
    private static final int NOTICE_ABORT = 1 << 5;
    private static final int NOTICE_OPTIONS = 1 << 6;

    private static final VarHandle NOTICES;

    static {
        try {
            NOTICES = MethodHandles.lookup().findVarHandle(StackSocket.class, "notices", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR);

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private final Runnable noticeTask = this::runNotices;

    /** Application side, under {@link #stateLock}. */
    private volatile int state;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private volatile InetSocketAddress localAddress;
    private volatile InetSocketAddress remoteAddress;
    /** A port {@link #bind} reserved and no connection took yet (0: none). */
    private int boundPort;
    /** The families the bind's address allows (null: both, the wildcard). */
    private Stack.Families boundFamilies;

    /** Set once by the engine (connect) or at creation (accept); the rings are read through it. */
    private volatile TcpConnection connection;
    private volatile Engine engine;
    private ByteRing receiveRing;
    private ByteRing sendRing;

    /** Engine side: written by the engine thread, read by any. */
    private volatile int engineFlags;
    private volatile TcpError error = TcpError.NONE;
    private volatile IOException connectFailure;

    @SuppressWarnings("unused") // through NOTICES
    private volatile int notices;

    private volatile boolean noDelay;
    private volatile boolean keepAlive;
    private volatile int sendBufferBytes;
    private volatile int receiveBufferBytes;
    private volatile int lingerSeconds = -1;
    private volatile boolean reuseAddress;

    StackSocket(Stack stack) {
        super(stack);
        this.noDelay = stack.tcpConfig().noDelay();
        this.keepAlive = stack.tcpConfig().keepAlive();
        this.sendBufferBytes = stack.tcpConfig().sendBufferBytes();
        this.receiveBufferBytes = stack.tcpConfig().receiveBufferBytes();
    }

    /** An accepted connection: engine thread. */
    StackSocket(Stack stack, Engine engine, TcpConnection connection) {
        this(stack);
        this.engine = engine;
        attachConnection(connection);
        this.state = CONNECTED;
        if (connection.config().noDelay() != noDelay) {
            noDelay = connection.config().noDelay();
        }
        publishState(connection);
    }

    // ------------------------------------------------------------------------------ connecting

    /**
     * Starts opening a connection to {@code remote}; non-blocking: the result is reported as
     * {@link Readiness#CONNECT} and taken with {@link #finishConnect()}.
     *
     * @return false: the handshake is under way (the stack never completes a connect at once)
     * @throws AlreadyConnectedException   when connected
     * @throws ConnectionPendingException  when a connect is already under way
     * @throws UnresolvedAddressException  when {@code remote} is unresolved
     * @throws ClosedChannelException      when closed
     */
    public boolean connect(InetSocketAddress remote) throws IOException {
        Objects.requireNonNull(remote, "remote");
        if (remote.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        if (remote.getPort() == 0) {
            throw new ConnectException("Connection refused: port 0 of " + remote.getAddress().getHostAddress());
        }
        synchronized (stateLock) {
            ensureOpen();
            if (state == CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == CONNECTING) {
                throw new ConnectionPendingException();
            }
            NextHop hop = stack.route(remote.getAddress());
            Engine owner;
            int port;
            if (boundPort != 0) {
                if (boundFamilies != null && !(hop.isIpv6() ? boundFamilies.ipv6() : boundFamilies.ipv4())) {
                    throw new UnsupportedAddressTypeException(); // bound to the other family's address
                }
                port = boundPort;
                owner = stack.ownerOf(hop, port, remote);
                boundPort = 0; // the connection takes the reservation over
            } else {
                owner = stack.engineForConnect();
                port = stack.reservePort(owner, hop, remote);
            }
            engine = owner;
            remoteAddress = remote;
            localAddress = new InetSocketAddress(hop.isIpv6()
                    ? Stack.address(true, hop.sourceHigh(), hop.sourceLow())
                    : Stack.address(false, 0, Integer.toUnsignedLong(hop.sourceIpv4())), port);
            state = CONNECTING;
            owner.submit(() -> startConnect(owner, remote, port));
        }
        return false;
    }

    /**
     * Binds the local end before a connect: {@code local}'s port (0: a free one) from the stack's
     * ephemeral range, on the wildcard or one of the stack's addresses. The connection then
     * belongs to whichever engine its four-tuple is steered to.
     *
     * @throws java.nio.channels.AlreadyBoundException when bound (or connected) already
     * @throws ConnectionPendingException  while a connect is under way
     * @throws BindException               "Address already in use", or "Cannot assign requested address"
     *                                     for an address not the stack's or a port outside its range
     */
    public StackSocket bind(InetSocketAddress local) throws IOException {
        InetSocketAddress requested = local != null ? local : new InetSocketAddress(0);
        synchronized (stateLock) {
            ensureOpen();
            if (state == CONNECTING) {
                throw new ConnectionPendingException();
            }
            if (localAddress != null) {
                throw new java.nio.channels.AlreadyBoundException();
            }
            Stack.Families families = stack.familiesFor(requested);
            int port = stack.reserveBoundPort(requested.getPort());
            boundPort = port;
            boundFamilies = families.ipv4() && families.ipv6() ? null : families;
            localAddress = new InetSocketAddress(requested.getAddress(), port);
        }
        return this;
    }

    /** Engine thread: the connect command. */
    private void startConnect(Engine owner, InetSocketAddress remote, int port) {
        if (!open) {
            stack.releasePort(port);
            engineFlags |= TERMINATED;
            return;
        }
        TcpConnection opened;
        try {
            opened = owner.connect(remote.getAddress(), remote.getPort(), port, this);
        } catch (RuntimeException e) { // the route and the port were checked; this is not expected
            stack.releasePort(port);
            connectFailure = new SocketException("connect failed in the engine: " + e.getMessage());
            engineFlags |= TERMINATED;
            readinessChanged(null);
            return;
        }
        attachConnection(opened);
        applyOptions(opened, owner);
        if ((int) NOTICES.getVolatile(this) != 0) {
            owner.submit(noticeTask); // a close or write that raced the command: run it now that there is a connection
        }
    }

    /** Engine thread. */
    private void attachConnection(TcpConnection opened) {
        opened.pinRings(); // this socket copies in and out of them on application threads until it closes
        this.receiveRing = opened.receiveRing();
        this.sendRing = opened.sendRing();
        TcpEndpoints e = opened.endpoints();
        this.localAddress = new InetSocketAddress(Stack.address(e.ipv6(), e.localHigh(), e.localLow()), e.localPort());
        if (remoteAddress == null) {
            this.remoteAddress = new InetSocketAddress(Stack.address(e.ipv6(), e.remoteHigh(), e.remoteLow()), e.remotePort());
        }
        this.connection = opened; // volatile: publishes the rings and addresses above
    }

    /**
     * Completes a connect: true once connected, false while the handshake is under way.
     *
     * @throws ConnectException           "Connection refused" (RST to our SYN) or "Connection timed out"
     *                                    (no answer); the socket is then closed, as the JDK does
     * @throws NoConnectionPendingException when no connect was started
     */
    public boolean finishConnect() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state == CONNECTED) {
                return true;
            }
            if (state != CONNECTING) {
                throw new NoConnectionPendingException();
            }
            int flags = engineFlags;
            if ((flags & ESTABLISHED) != 0) {
                state = CONNECTED;
                return true;
            }
            if ((flags & TERMINATED) == 0) {
                return false;
            }
        }
        IOException failure = connectFailure != null ? connectFailure : connectException(error);
        close();
        throw failure;
    }

    public boolean isConnected() {
        return state == CONNECTED;
    }

    public boolean isConnectionPending() {
        return state == CONNECTING;
    }

    // ------------------------------------------------------------------------------ data

    /**
     * Reads what the receive ring holds into {@code dst}, without waiting.
     *
     * @return bytes read; 0 when nothing is there yet; -1 at end of stream (the peer's FIN) or
     *         after {@link #shutdownInput()}
     * @throws SocketException "Connection reset" / "Connection timed out" once the received bytes are read
     */
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        readLock.lock();
        try {
            ByteRing ring = beginRead();
            if (ring == null) {
                return -1;
            }
            int count = ring.read(dst);
            if (count == 0 && dst.hasRemaining()) {
                int flags = engineFlags;
                if ((flags & (FIN_RECEIVED | TERMINATED)) == 0) {
                    return 0;
                }
                // The engine fills the ring before it publishes a flag: bytes that came before the FIN are there now.
                count = ring.read(dst);
                if (count == 0) {
                    return endOfStream(flags);
                }
            }
            if (count > 0) {
                notice(NOTICE_READ);
            }
            return count;
        } finally {
            readLock.unlock();
        }
    }

    /** Scattering read: fills {@code dsts[offset..offset+length)} in order. */
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        readLock.lock();
        try {
            ByteRing ring = beginRead();
            if (ring == null) {
                return -1;
            }
            long total = scatter(ring, dsts, offset, length);
            if (total == 0 && hasRemaining(dsts, offset, length)) {
                int flags = engineFlags;
                if ((flags & (FIN_RECEIVED | TERMINATED)) == 0) {
                    return 0;
                }
                total = scatter(ring, dsts, offset, length);
                if (total == 0) {
                    return endOfStream(flags);
                }
            }
            if (total > 0) {
                notice(NOTICE_READ);
            }
            return total;
        } finally {
            readLock.unlock();
        }
    }

    /** Under the read lock: the ring to read, or null after shutdownInput. */
    private ByteRing beginRead() throws IOException {
        ensureOpen();
        if (state != CONNECTED) {
            throw new NotYetConnectedException();
        }
        return inputShut ? null : receiveRing;
    }

    private static long scatter(ByteRing ring, ByteBuffer[] dsts, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer dst = dsts[i];
            total += ring.read(dst);
            if (dst.hasRemaining()) {
                break;
            }
        }
        return total;
    }

    private static boolean hasRemaining(ByteBuffer[] buffers, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /** The ring is empty for good: -1 after the peer's FIN, else the connection's error. */
    private int endOfStream(int flags) throws IOException {
        if ((flags & FIN_RECEIVED) != 0) {
            return -1;
        }
        throw ioException(error);
    }

    /**
     * Appends as much of {@code src} as the send ring has room for, without waiting.
     *
     * @return bytes taken; 0 when the ring is full (wait for {@link Readiness#WRITE})
     * @throws ClosedChannelException after {@link #shutdownOutput()} or close
     * @throws SocketException "Connection reset" / "Connection timed out" when the connection failed
     */
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        writeLock.lock();
        try {
            ByteRing ring = beginWrite();
            int count = ring.append(src);
            if (count > 0) {
                notice(NOTICE_SEND);
            }
            return count;
        } finally {
            writeLock.unlock();
        }
    }

    /** Gathering write: takes from {@code srcs[offset..offset+length)} in order while there is room. */
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        writeLock.lock();
        try {
            ByteRing ring = beginWrite();
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer src = srcs[i];
                total += ring.append(src);
                if (src.hasRemaining()) {
                    break;
                }
            }
            if (total > 0) {
                notice(NOTICE_SEND);
            }
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    private ByteRing beginWrite() throws IOException {
        ensureOpen();
        if (state != CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (outputShut) {
            throw new ClosedChannelException();
        }
        if ((engineFlags & TERMINATED) != 0) {
            throw ioException(error);
        }
        return sendRing;
    }

    // ------------------------------------------------------------------------------ shutdown, close

    /** Ends reading: reads return -1 from now on and bytes that arrive are discarded (the window stays open). */
    public void shutdownInput() throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (!inputShut) {
                inputShut = true; // from here the engine is the receive ring's consumer
                notice(NOTICE_SHUTDOWN_INPUT);
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Half-close: a FIN follows the bytes already written; writes fail from now on. */
    public void shutdownOutput() throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (!outputShut) {
                outputShut = true;
                notice(NOTICE_SHUTDOWN_OUTPUT);
            }
        } finally {
            writeLock.unlock();
        }
    }

    public boolean isInputShutdown() {
        return inputShut;
    }

    public boolean isOutputShutdown() {
        return outputShut;
    }

    /**
     * Bytes a read would return now without waiting ({@code InputStream.available} of the
     * provider's socket adaptor): what the receive ring holds, 0 after {@link #shutdownInput()}.
     *
     * @throws NotYetConnectedException before the connection is established
     * @throws ClosedChannelException   when closed
     */
    public int available() throws IOException {
        ensureOpen();
        if (state != CONNECTED) {
            throw new NotYetConnectedException();
        }
        return inputShut ? 0 : receiveRing.size();
    }

    /**
     * Closes the socket. The connection closes gracefully in the background: bytes written are
     * still sent and a FIN follows them, unless received bytes were left unread (then, as on
     * Linux, the peer gets a RST so that it learns they were lost) or {@link StandardSocketOptions#SO_LINGER}
     * is 0 (an abort). Idempotent.
     */
    @Override
    public void close() {
        readLock.lock();
        writeLock.lock();
        try {
            synchronized (stateLock) {
                if (!open) {
                    return;
                }
                open = false;
            }
            // After this no application thread touches the rings: the engine may give them back.
            notice(lingerSeconds == 0 ? NOTICE_ABORT : NOTICE_CLOSE);
            synchronized (stateLock) {
                if (boundPort != 0) {
                    stack.releasePort(boundPort); // bound, never connected
                    boundPort = 0;
                }
            }
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
        readinessChanged(null);
    }

    /** Closes with a RST at once (SO_LINGER 0): unsent and unread bytes are dropped. */
    public void abort() {
        lingerSeconds = 0;
        close();
    }

    // ------------------------------------------------------------------------------ readiness

    @Override
    public int readyOps() {
        if (!open) {
            return 0;
        }
        int flags = engineFlags;
        switch (state) {
            case CONNECTING -> {
                return (flags & (ESTABLISHED | TERMINATED)) != 0 || connectFailure != null ? Readiness.CONNECT : 0;
            }
            case CONNECTED -> {
                int ops = 0;
                if (inputShut || (flags & (FIN_RECEIVED | TERMINATED)) != 0 || receiveRing.size() > 0) {
                    ops |= Readiness.READ;
                }
                if ((flags & TERMINATED) != 0 || outputShut || sendRing.freeBytes() > 0) {
                    ops |= Readiness.WRITE;
                }
                return ops;
            }
            default -> {
                return 0;
            }
        }
    }

    /** Engine thread: the connection's events of one loop, aggregated ({@link ConnectionHandler}). */
    @Override
    public void onEvents(TcpConnection c, int events) {
        publishState(c);
        if (inputShut) {
            discardInput(c);
        }
        readinessChanged(engine);
    }

    /** Engine thread: copies what the application may ask about into volatile fields. */
    void publishState(TcpConnection c) {
        int flags = engineFlags;
        TcpState s = c.state();
        if (s.isSynchronized() || (flags & ESTABLISHED) != 0) {
            flags |= ESTABLISHED;
        }
        if (c.finReceived()) {
            flags |= FIN_RECEIVED;
        }
        if (s == TcpState.CLOSED) {
            if (c.error() != TcpError.NONE) {
                error = c.error();
            }
            flags |= TERMINATED;
        }
        engineFlags = flags; // volatile: after the ring's tail, so bytes before a FIN are visible first
    }

    // ------------------------------------------------------------------------------ notices

    /** Leaves the engine a notice; queues this socket on the engine's command queue if none was pending. */
    private void notice(int bit) {
        if (((int) NOTICES.getVolatile(this) & bit) != 0) {
            return; // already pending: the engine has not run it yet
        }
        int before = (int) NOTICES.getAndBitwiseOr(this, bit);
        Engine owner = engine;
        if (before == 0 && owner != null && connection != null) {
            owner.submit(noticeTask);
        }
    }

    /** Engine thread: acts on the notices left since the last run. */
    private void runNotices() {
        TcpConnection c = connection;
        Engine owner = engine;
        if (c == null) {
            return; // the connect command has not run: it submits this task again
        }
        int bits = (int) NOTICES.getAndSet(this, 0);
        if ((bits & NOTICE_OPTIONS) != 0) {
            applyOptions(c, owner);
        }
        if ((bits & NOTICE_READ) != 0) {
            c.applicationRead();
        }
        if ((bits & NOTICE_SHUTDOWN_INPUT) != 0) {
            discardInput(c);
        }
        if ((bits & NOTICE_SHUTDOWN_OUTPUT) != 0) {
            c.shutdownOutput();
        }
        if ((bits & NOTICE_ABORT) != 0) {
            owner.abort(c);
            c.unpinRings(); // close() made sure no application thread is in the rings
        } else if ((bits & NOTICE_CLOSE) != 0) {
            owner.close(c);
            c.unpinRings();
        }
        owner.touch(c);
    }

    /** Engine thread, after shutdownInput: the engine consumes and drops what arrives. */
    private static void discardInput(TcpConnection c) {
        ByteRing ring = c.receiveRing(); // null once the socket closed and the ring went back
        if (ring != null && ring.size() > 0) {
            ring.release(ring.tail());
            c.applicationRead();
        }
    }

    private void applyOptions(TcpConnection c, Engine owner) {
        c.noDelay(noDelay);
        c.keepAlive(owner.nowNs(), keepAlive);
    }

    // ------------------------------------------------------------------------------ options

    /** The options this socket supports: TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, SO_LINGER, SO_REUSEADDR. */
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    /**
     * Sets an option. TCP_NODELAY and SO_KEEPALIVE act at once; SO_RCVBUF and SO_SNDBUF size the
     * rings of a connection opened after the call (a connected socket keeps its rings); SO_LINGER 0
     * makes {@link #close()} an abort, a positive value is kept and reported but close never
     * blocks; SO_REUSEADDR is kept (a stack socket may always reuse a port whose old
     * connections are in TIME_WAIT).
     *
     * @throws UnsupportedOperationException for other options
     * @throws IllegalArgumentException      for a bad value (negative buffer size)
     */
    public <T> StackSocket setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported by stack sockets");
        }
        ensureOpen();
        if (name == StandardSocketOptions.TCP_NODELAY) {
            noDelay = (Boolean) value;
            notice(NOTICE_OPTIONS);
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            keepAlive = (Boolean) value;
            notice(NOTICE_OPTIONS);
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            receiveBufferBytes = positiveBufferSize(name, (Integer) value);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            sendBufferBytes = positiveBufferSize(name, (Integer) value);
        } else if (name == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            lingerSeconds = seconds < 0 ? -1 : Math.min(seconds, 0xffff);
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value;
        }
        return this;
    }

    private static int positiveBufferSize(SocketOption<?> name, Integer value) {
        if (value == null || value <= 0) {
            throw new IllegalArgumentException("Invalid value for " + name + ": " + value + " (must be positive)");
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported by stack sockets");
        }
        ensureOpen();
        Object value;
        if (name == StandardSocketOptions.TCP_NODELAY) {
            value = noDelay;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            value = keepAlive;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            ByteRing ring = connection != null ? receiveRing : null;
            value = ring != null ? ring.capacity() : receiveBufferBytes;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            ByteRing ring = connection != null ? sendRing : null;
            value = ring != null ? ring.capacity() : sendBufferBytes;
        } else if (name == StandardSocketOptions.SO_LINGER) {
            value = lingerSeconds;
        } else {
            value = reuseAddress;
        }
        return (T) value;
    }

    // ------------------------------------------------------------------------------ addresses, info

    /** The local address and port, known once {@link #connect} returned; null before. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The peer; null when unconnected. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** The engine that owns this socket's connection, or null before a connect. */
    public Engine engine() {
        return engine;
    }

    /**
     * The connection's state and counters ({@code ss -ti}: cwnd, RTT, retransmissions, bytes),
     * taken by its engine in its next loop without stopping it; the future completes then.
     * Fails with {@link NotYetConnectedException} before a connect.
     */
    public CompletableFuture<TcpConnectionInfo> info() {
        TcpConnection c = connection;
        Engine owner = engine;
        if (c == null || owner == null) {
            return CompletableFuture.failedFuture(new NotYetConnectedException());
        }
        CompletableFuture<TcpConnectionInfo> result = new CompletableFuture<>();
        owner.submit(() -> result.complete(c.info().copy()));
        return result;
    }

    /** Why the connection failed, as the engine last reported it ({@link TcpError#NONE} when it did not). */
    public TcpError error() {
        return error;
    }

    @Override
    public String toString() {
        return "StackSocket[" + (open ? switch (state) {
            case CONNECTED -> "connected";
            case CONNECTING -> "connecting";
            default -> "unconnected";
        } : "closed") + " local=" + localAddress + " remote=" + remoteAddress + "]";
    }

    // ------------------------------------------------------------------------------ helpers

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    static IOException ioException(TcpError error) {
        return switch (error) {
            case TIMED_OUT -> new SocketException("Connection timed out");
            case HOST_UNREACHABLE -> new NoRouteToHostException("No route to host");
            case NETWORK_UNREACHABLE -> new NoRouteToHostException("Network is unreachable");
            case CONNECTION_REFUSED -> new ConnectException("Connection refused");
            default -> new SocketException("Connection reset");
        };
    }

    private static IOException connectException(TcpError error) {
        return switch (error) {
            case HOST_UNREACHABLE -> new NoRouteToHostException("No route to host");
            case NETWORK_UNREACHABLE -> new NoRouteToHostException("Network is unreachable");
            case TIMED_OUT -> new ConnectException("Connection timed out");
            case CONNECTION_RESET -> new ConnectException("Connection reset");
            default -> new ConnectException("Connection refused");
        };
    }
}
