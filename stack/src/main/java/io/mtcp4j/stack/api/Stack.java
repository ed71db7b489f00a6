package io.mtcp4j.stack.api;

import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.engine.Engine;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.EngineCounters;
import io.mtcp4j.stack.engine.EngineGroup;
import io.mtcp4j.stack.engine.EphemeralPorts;
import io.mtcp4j.stack.engine.EngineRunner;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.ip.NextHop;
import io.mtcp4j.stack.ip.RoutingTable;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A running user-level TCP/IP stack: its engines over one device, and the sockets of the
 * stack's own API ({@link StackSocket}, {@link StackServerSocket}). The NIO provider adapts this
 * API; an application that does not want NIO may use it directly:
 *
 * <pre>{@code
 * try (Stack stack = Stack.builder().device(device).config(EngineConfig.of(addresses)).start()) {
 *     StackServerSocket server = stack.openServerSocket().bind(new InetSocketAddress(8080), 128);
 *     StackSocket client = stack.openSocket();
 *     client.connect(new InetSocketAddress(peer, 80));
 *     client.awaitReady(Readiness.CONNECT, 1, TimeUnit.SECONDS);
 *     client.finishConnect();
 *     client.write(ByteBuffer.wrap(request));
 * }
 * }</pre>
 *
 * <p>Engines run on their own threads ({@code mtcp4j-engine-<i>}) unless the builder says
 * {@link Builder#threads(boolean) threads(false)}: then the caller steps them with
 * {@link #runOnce(long)} and an injected clock, which is how deterministic tests drive two stacks.
 */
public final class Stack implements AutoCloseable {
    private final NetDevice device;
    private final EngineConfig config;
    private final EngineGroup group;
    private final Engine[] engines;
    private final EphemeralPorts ports;
    private final EngineRunner[] runners;
    private final Thread[] threads;
    private final RoutingTable routes;
    private final AtomicInteger nextEngine = new AtomicInteger();
    private final AtomicInteger nextBoundPort = new AtomicInteger();
    /** Listeners by port, one map per family: 127.0.0.1:p and ::1:p may belong to different listeners, as in the kernel. */
    private final ConcurrentHashMap<Integer, StackServerSocket> ipv4Listeners = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, StackServerSocket> ipv6Listeners = new ConcurrentHashMap<>();
    private final AtomicInteger nextListenerPort;
    private volatile boolean closed;

    private Stack(Builder builder) {
        this.device = Objects.requireNonNull(builder.device, "device");
        this.config = Objects.requireNonNull(builder.config, "config");
        int count = builder.engines;
        if (count < 1) {
            throw new IllegalArgumentException("engines=" + count + ": a stack needs at least one engine");
        }
        long startNs = builder.clock.getAsLong();
        this.group = new EngineGroup(config.withEngines(count), device, startNs); // checks count against the device's queues
        this.engines = group.engines().toArray(Engine[]::new);
        this.ports = group.ephemeralPorts();
        this.routes = engines[0].routes();
        this.nextListenerPort = new AtomicInteger(config.firstEphemeralPort());
        if (builder.threads) {
            runners = new EngineRunner[count];
            threads = new Thread[count];
            for (int i = 0; i < count; i++) {
                runners[i] = new EngineRunner(engines[i], builder.clock, EngineRunner.DEFAULT_SPIN_LOOPS);
                threads[i] = Thread.ofPlatform().name(builder.name + "-engine-" + i).daemon(true).unstarted(runners[i]);
            }
            for (Thread thread : threads) {
                thread.start();
            }
        } else {
            runners = null;
            threads = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How to build a {@link Stack}. */
    public static final class Builder {
        private NetDevice device;
        private EngineConfig config;
        private int engines = 1;
        private boolean threads = true;
        private LongSupplier clock = System::nanoTime;
        private String name = "mtcp4j";

        private Builder() {
        }

        /** The device the engines use, queue i for engine i. */
        public Builder device(NetDevice value) {
            device = value;
            return this;
        }

        /** Addresses, TCP settings and engine limits. */
        public Builder config(EngineConfig value) {
            config = value;
            return this;
        }

        /** How many engines (default 1); at most the device's queue count. */
        public Builder engines(int value) {
            engines = value;
            return this;
        }

        /**
         * Whether engines run on their own threads (default) or are stepped by the caller with
         * {@link Stack#runOnce(long)} (deterministic tests; {@link StackChannel#awaitReady} is then unavailable).
         */
        public Builder threads(boolean value) {
            threads = value;
            return this;
        }

        /** The engines' clock in nanoseconds (default {@link System#nanoTime}); a stepped stack's start time. */
        public Builder clock(LongSupplier value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** A prefix for engine thread names (default "mtcp4j"). */
        public Builder name(String value) {
            name = Objects.requireNonNull(value, "name");
            return this;
        }

        /** Builds the engines and, unless {@code threads(false)}, starts their threads. */
        public Stack start() {
            return new Stack(this);
        }
    }

    // ------------------------------------------------------------------------------ sockets

    /** A new unconnected socket. */
    public StackSocket openSocket() {
        ensureRunning();
        return new StackSocket(this);
    }

    /** A new unbound server socket. */
    public StackServerSocket openServerSocket() {
        ensureRunning();
        return new StackServerSocket(this);
    }

    // ------------------------------------------------------------------------------ routing queries

    /**
     * Whether a listener of this stack takes connections to {@code address} port {@code port}: an
     * open, bound {@link StackServerSocket} on that port that listens on {@code address}'s family
     * and on {@code address} itself or the wildcard. Any thread, a map lookup: the NIO provider
     * asks it on every connect to a stack address, and connects to the kernel when no listener of
     * this stack would answer (a loopback port served by another process).
     */
    public boolean hasListener(InetAddress address, int port) {
        Objects.requireNonNull(address, "address");
        StackServerSocket owner = (address instanceof Inet6Address ? ipv6Listeners : ipv4Listeners).get(port);
        return owner != null && owner.listensOn(address);
    }

    // ------------------------------------------------------------------------------ stepping

    /** One loop of every engine at {@code nowNs}: only for a stack built with {@code threads(false)}. */
    public int runOnce(long nowNs) {
        if (threads != null) {
            throw new IllegalStateException("runOnce is for stacks stepped by their caller: this one runs engine threads");
        }
        return group.doWork(nowNs);
    }

    /** The earliest deadline of any engine ({@link Engine#nextDeadlineNs()}). */
    public long nextDeadlineNs() {
        long next = Long.MAX_VALUE;
        for (Engine engine : engines) {
            next = Math.min(next, engine.nextDeadlineNs());
        }
        return next;
    }

    public boolean hasEngineThreads() {
        return threads != null;
    }

    // ------------------------------------------------------------------------------ inspection

    public int engineCount() {
        return engines.length;
    }

    /** The engines as a group (ownership, ports, hand-offs). */
    public EngineGroup group() {
        return group;
    }

    /** Engine {@code index}; its methods other than counters and {@link Engine#submit} belong to its thread. */
    public Engine engine(int index) {
        return engines[index];
    }

    public EngineCounters counters(int engine) {
        return engines[engine].counters();
    }

    public StackAddresses addresses() {
        return config.addresses();
    }

    public NetDevice device() {
        return device;
    }

    TcpConfig tcpConfig() {
        return config.tcp();
    }

    /**
     * Stops the engines (their threads end) and closes nothing else: connections are not
     * closed on the wire. The device stays open; its owner closes it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (runners != null) {
            for (EngineRunner runner : runners) {
                runner.stop();
            }
            for (Thread thread : threads) {
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------ for sockets

    private void ensureRunning() {
        if (closed) {
            throw new IllegalStateException("stack closed");
        }
    }

    /** The engine a new active open goes to: round robin. */
    Engine engineForConnect() {
        return engines[Math.floorMod(nextEngine.getAndIncrement(), engines.length)];
    }

    /**
     * Reserves a local port for an active open from {@code engine} over {@code hop} to
     * {@code remote}, one that the device steers back to that engine where it can say how it steers.
     *
     * @throws BindException "Cannot assign requested address" when no port of the range is free and fits
     */
    int reservePort(Engine engine, NextHop hop, InetSocketAddress remote) throws BindException {
        int port;
        if (hop.isIpv6()) {
            Ipv6Address address = Ipv6Address.ofBytes(remote.getAddress().getAddress());
            port = ports.reserve(engine.index(), true, hop.sourceHigh(), hop.sourceLow(), address.high(), address.low(),
                    remote.getPort());
        } else {
            port = ports.reserveIpv4(engine.index(), hop.sourceIpv4(), ByteBuffer.wrap(remote.getAddress().getAddress()).getInt(),
                    remote.getPort());
        }
        if (port == EphemeralPorts.EXHAUSTED) {
            throw new BindException("Cannot assign requested address: no free local port from " + ports.first() + " to "
                    + ports.last() + " for " + remote);
        }
        return port;
    }

    void releasePort(int port) {
        ports.release(port);
    }

    /**
     * Reserves a port for a client socket's {@code bind}: {@code port}, or with 0 a free one, from
     * the ephemeral range, where the group's {@link EphemeralPorts} keeps every active open's port
     * unique (the stack binds client sockets there only).
     *
     * @throws BindException "Address already in use" when another socket or a listener has it;
     *                       "Cannot assign requested address" outside the range or when none is free
     */
    int reserveBoundPort(int port) throws BindException {
        if (port != 0) {
            if (port < ports.first() || port > ports.last()) {
                throw new BindException("Cannot assign requested address: the stack binds client sockets to its ephemeral ports "
                        + ports.first() + "-" + ports.last() + " only, not " + port);
            }
            if (hasListenerPort(port) || !ports.tryReserve(port)) {
                throw new BindException("Address already in use: port " + port);
            }
            return port;
        }
        int span = ports.last() - ports.first() + 1;
        for (int tried = 0; tried < span; tried++) {
            int candidate = ports.first() + Math.floorMod(nextBoundPort.getAndIncrement(), span);
            if (!hasListenerPort(candidate) && ports.tryReserve(candidate)) {
                return candidate;
            }
        }
        throw new BindException("Cannot assign requested address: no free local port from " + ports.first() + " to " + ports.last());
    }

    /** The engine that owns the four-tuple of an active open from a bound port: its frames are steered there. */
    Engine ownerOf(NextHop hop, int localPort, InetSocketAddress remote) {
        int owner;
        if (hop.isIpv6()) {
            Ipv6Address address = Ipv6Address.ofBytes(remote.getAddress().getAddress());
            owner = ports.ownership().ownerOf(true, hop.sourceHigh(), hop.sourceLow(), localPort, address.high(), address.low(),
                    remote.getPort());
        } else {
            owner = ports.ownership().ownerOfIpv4(hop.sourceIpv4(), localPort,
                    ByteBuffer.wrap(remote.getAddress().getAddress()).getInt(), remote.getPort());
        }
        return engines[owner];
    }

    int indexOf(Engine engine) {
        for (int i = 0; i < engines.length; i++) {
            if (engines[i] == engine) {
                return i;
            }
        }
        throw new IllegalArgumentException("not an engine of this stack");
    }

    /**
     * Fails a connect early when the stack has no route to {@code remote} (the routing table is
     * fixed at start, so any thread may read it).
     */
    NextHop route(InetAddress remote) throws IOException {
        NextHop hop = new NextHop();
        boolean routed;
        if (remote instanceof Inet4Address) {
            routed = routes.routeIpv4(ByteBuffer.wrap(remote.getAddress()).getInt(), hop);
        } else if (remote instanceof Inet6Address) {
            Ipv6Address address = Ipv6Address.ofBytes(remote.getAddress());
            routed = routes.routeIpv6(address.high(), address.low(), hop);
        } else {
            throw new UnsupportedAddressTypeException();
        }
        if (!routed || !hop.hasSource()) {
            throw new NoRouteToHostException("No route to host: " + remote.getHostAddress());
        }
        return hop;
    }

    /** Which families a listener on {@code local} covers. */
    record Families(boolean ipv4, boolean ipv6) { }

    Families familiesFor(InetSocketAddress local) throws IOException {
        StackAddresses addresses = config.addresses();
        InetAddress address = local.getAddress();
        if (local.isUnresolved()) {
            throw new java.nio.channels.UnresolvedAddressException();
        }
        if (address == null || address.isAnyLocalAddress()) {
            return new Families(addresses.hasIpv4(), addresses.hasIpv6());
        }
        if (address instanceof Inet4Address && addresses.hasIpv4()
                && ByteBuffer.wrap(address.getAddress()).getInt() == addresses.ipv4Address()) {
            return new Families(true, false);
        }
        if (address instanceof Inet6Address && addresses.hasIpv6()
                && Ipv6Address.ofBytes(address.getAddress()).equals(addresses.ipv6Address())) {
            return new Families(false, true);
        }
        throw new BindException("Cannot assign requested address: " + address.getHostAddress() + " is not an address of this stack");
    }

    private boolean hasListenerPort(int port) {
        return ipv4Listeners.containsKey(port) || ipv6Listeners.containsKey(port);
    }

    /** Claims {@code port} (0: a free one from the ephemeral range) in each family of {@code families} for a listener. */
    int reserveListenerPort(int port, Families families, StackServerSocket owner) throws BindException {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (port != 0) {
            if (!claim(port, families, owner)) {
                throw new BindException("Address already in use: port " + port + " has a listener");
            }
            return port;
        }
        int first = config.firstEphemeralPort();
        int span = config.lastEphemeralPort() - first + 1;
        for (int tried = 0; tried < span; tried++) {
            int candidate = first + Math.floorMod(nextListenerPort.getAndIncrement() - first, span);
            if (!ports.isReserved(candidate) && claim(candidate, families, owner)) {
                return candidate;
            }
        }
        throw new BindException("Cannot assign requested address: every port from " + first + " to "
                + config.lastEphemeralPort() + " is in use");
    }

    /** Takes {@code port} in every family asked for, or in none. */
    private boolean claim(int port, Families families, StackServerSocket owner) {
        if (families.ipv4() && ipv4Listeners.putIfAbsent(port, owner) != null) {
            return false;
        }
        if (families.ipv6() && ipv6Listeners.putIfAbsent(port, owner) != null) {
            if (families.ipv4()) {
                ipv4Listeners.remove(port, owner);
            }
            return false;
        }
        return true;
    }

    void releaseListenerPort(int port, StackServerSocket owner) {
        ipv4Listeners.remove(port, owner);
        ipv6Listeners.remove(port, owner);
    }

    /**
     * Queues {@code action} for every engine's thread without waiting. Commands run in the order
     * they were queued, so a later {@link #onEveryEngine} (a new listener on the same port) runs after it.
     */
    void onEveryEngineLater(Consumer<Engine> action) {
        for (Engine engine : engines) {
            engine.submit(() -> action.accept(engine));
        }
    }

    /**
     * Runs {@code action} on every engine's thread. With engine threads, waits until all have run
     * it (a listener is in place when bind returns); a stepped stack runs them in its next loop.
     */
    void onEveryEngine(Consumer<Engine> action) throws IOException {
        if (threads == null) {
            for (Engine engine : engines) {
                engine.submit(() -> action.accept(engine));
            }
            return;
        }
        CountDownLatch done = new CountDownLatch(engines.length);
        for (Engine engine : engines) {
            engine.submit(() -> {
                try {
                    action.accept(engine);
                } finally {
                    done.countDown();
                }
            });
        }
        try {
            if (!done.await(10, TimeUnit.SECONDS)) {
                throw new IOException("the stack's engines did not answer within 10 s (stack closed or an engine stopped)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the engines installed a listener");
        }
    }

    /** An IPv4 ({@code high} unused, {@code low} the address) or IPv6 address as an InetAddress. */
    static InetAddress address(boolean ipv6, long high, long low) {
        try {
            if (ipv6) {
                return InetAddress.getByAddress(new Ipv6Address(high, low).toBytes());
            }
            return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt((int) low).array());
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only for a wrong length
        }
    }
}
