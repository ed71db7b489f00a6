package io.mtcp4j.stack.api;

import io.mtcp4j.stack.engine.ConnectionHandler;
import io.mtcp4j.stack.engine.Engine;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpListener;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * A listening port of a {@link Stack}: the stack's own server socket, which the NIO provider
 * adapts to {@code ServerSocketChannel}.
 *
 * <p>{@link #bind} installs a listener on every engine (a connection belongs to the engine its
 * packets are steered to). Each engine moves its established connections at once into this
 * socket's accept queue, a lock-free multi-producer queue, as {@link StackSocket}s; {@link #accept()}
 * takes them from any thread without waiting, and {@link Readiness#ACCEPT} reports that one is
 * there. Connections in that queue still count against the backlog, as Linux counts its accept
 * queue: beyond it, SYNs get cookies (or are dropped), and the peer retries.
 */
public final class StackServerSocket extends StackChannel {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR);

    private final Object stateLock = new Object();
    private final MpscUnboundedAtomicArrayQueue<StackSocket> acceptQueue = new MpscUnboundedAtomicArrayQueue<>(64);
    private final AtomicInteger queued = new AtomicInteger();

    private volatile InetSocketAddress localAddress;
    private volatile boolean ipv4;
    private volatile boolean ipv6;
    /** Per engine, the IPv4 and IPv6 listeners ({@code listeners[2 * engine + (ipv6 ? 1 : 0)]}); engine threads write. */
    private volatile TcpListener[] listeners;
    private volatile int receiveBufferBytes;
    private volatile boolean reuseAddress = true;

    StackServerSocket(Stack stack) {
        super(stack);
        this.receiveBufferBytes = stack.tcpConfig().receiveBufferBytes();
    }

    /**
     * Listens on {@code local} with room for {@code backlog} connections not yet accepted.
     *
     * <p>A wildcard address ({@code 0.0.0.0} or {@code ::}, or null) listens on the stack's IPv4
     * and IPv6 addresses both; an address of the stack listens on that family. Port 0 takes a
     * free port from the ephemeral range. With engine threads the listeners are installed when
     * this returns; with a caller-stepped stack they are in place after the next
     * {@link Stack#runOnce}.
     *
     * @param backlog below 1 means the default, 50 (as {@code ServerSocket})
     * @throws java.net.BindException "Address already in use" when another listener has the port;
     *                                "Cannot assign requested address" for an address not the stack's
     * @throws AlreadyBoundException  when bound already
     */
    public StackServerSocket bind(InetSocketAddress local, int backlog) throws IOException {
        InetSocketAddress requested = local != null ? local : new InetSocketAddress(0);
        int effectiveBacklog = backlog < 1 ? 50 : backlog;
        synchronized (stateLock) {
            ensureOpen();
            if (localAddress != null) {
                throw new AlreadyBoundException();
            }
            Stack.Families families = stack.familiesFor(requested);
            int port = stack.reserveListenerPort(requested.getPort(), families, this);
            this.ipv4 = families.ipv4();
            this.ipv6 = families.ipv6();
            this.localAddress = new InetSocketAddress(requested.getAddress(), port);
            this.listeners = new TcpListener[2 * stack.engineCount()];
            stack.onEveryEngine(engine -> install(engine, port, effectiveBacklog));
        }
        return this;
    }

    /** Engine thread: this engine's listeners for the port. */
    private void install(Engine engine, int port, int backlog) {
        if (!open) {
            return;
        }
        int index = stack.indexOf(engine);
        ChildHandler childHandler = new ChildHandler(engine, index);
        if (ipv4) {
            TcpListener listener = engine.listen(false, port, backlog, childHandler);
            listener.queuedElsewhere(queued::get);
            listeners[2 * index] = listener;
        }
        if (ipv6) {
            TcpListener listener = engine.listen(true, port, backlog, childHandler);
            listener.queuedElsewhere(queued::get);
            listeners[2 * index + 1] = listener;
        }
    }

    /** The handler of the listeners' children until they are accepted: engine thread. */
    private final class ChildHandler implements ConnectionHandler {
        private final Engine engine;
        private final int index;

        ChildHandler(Engine engine, int index) {
            this.engine = engine;
            this.index = index;
        }

        @Override
        public void onEvents(TcpConnection connection, int events) {
            if ((events & TcpConnection.EVENT_CONNECTED) == 0) {
                return;
            }
            boolean moved = false;
            TcpListener[] current = listeners;
            for (int family = 0; family < 2; family++) {
                TcpListener listener = current[2 * index + family];
                TcpConnection child;
                while (listener != null && (child = listener.accept()) != null) {
                    StackSocket socket = new StackSocket(stack, engine, child);
                    engine.handler(child, socket);
                    queued.incrementAndGet();
                    acceptQueue.offer(socket);
                    moved = true;
                }
            }
            if (moved) {
                readinessChanged(engine);
            }
        }
    }

    /**
     * The next established connection, or null when none waits.
     *
     * @throws NotYetBoundException   before {@link #bind}
     * @throws ClosedChannelException when closed
     */
    public StackSocket accept() throws IOException {
        ensureOpen();
        if (localAddress == null) {
            throw new NotYetBoundException();
        }
        StackSocket socket = acceptQueue.poll();
        if (socket != null) {
            queued.decrementAndGet();
        }
        return socket;
    }

    @Override
    public int readyOps() {
        return open && !acceptQueue.isEmpty() ? Readiness.ACCEPT : 0;
    }

    /**
     * Stops listening: new SYNs to the port are answered with RST, connections not yet accepted
     * are aborted, and the port is free again. Idempotent.
     */
    @Override
    public void close() {
        synchronized (stateLock) {
            if (!open) {
                return;
            }
            open = false;
            InetSocketAddress bound = localAddress;
            if (bound != null) {
                stack.onEveryEngineLater(this::uninstall);
                stack.releaseListenerPort(bound.getPort(), this);
            }
        }
        StackSocket socket;
        while ((socket = acceptQueue.poll()) != null) {
            queued.decrementAndGet();
            socket.abort();
        }
        readinessChanged(null);
    }

    /** Engine thread: removes this engine's listeners; their half-open children are aborted. */
    private void uninstall(Engine engine) {
        int index = stack.indexOf(engine);
        TcpListener[] current = listeners;
        for (int family = 0; family < 2; family++) {
            TcpListener listener = current[2 * index + family];
            if (listener != null) {
                engine.unlisten(family == 1, listener);
                current[2 * index + family] = null;
            }
        }
    }

    /**
     * Whether this socket, open and bound, takes connections to {@code address}: the address's
     * family is one it listens on, and it is bound to that address or the wildcard.
     */
    boolean listensOn(InetAddress address) {
        InetSocketAddress bound = localAddress;
        if (!open || bound == null) {
            return false;
        }
        if (address instanceof Inet6Address ? !ipv6 : !ipv4) {
            return false;
        }
        InetAddress boundAddress = bound.getAddress();
        return boundAddress == null || boundAddress.isAnyLocalAddress() || boundAddress.equals(address);
    }

    /** The address and port listened on; null before {@link #bind}. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Connections accepted by the engines and not yet taken with {@link #accept()}. */
    public int queuedConnections() {
        return queued.get();
    }

    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    /** SO_RCVBUF (kept for the provider; accepted connections use the stack's ring size) and SO_REUSEADDR. */
    public <T> StackServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported by stack server sockets");
        }
        ensureOpen();
        if (name == StandardSocketOptions.SO_RCVBUF) {
            Integer bytes = (Integer) value;
            if (bytes == null || bytes <= 0) {
                throw new IllegalArgumentException("Invalid value for SO_RCVBUF: " + bytes + " (must be positive)");
            }
            receiveBufferBytes = bytes;
        } else {
            reuseAddress = (Boolean) value;
        }
        return this;
    }

    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported by stack server sockets");
        }
        ensureOpen();
        return (T) (name == StandardSocketOptions.SO_RCVBUF ? (Object) receiveBufferBytes : (Object) reuseAddress);
    }

    @Override
    public String toString() {
        return "StackServerSocket[" + (open ? (localAddress == null ? "unbound" : localAddress.toString()) : "closed") + "]";
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
