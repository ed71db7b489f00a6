package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.tcp.InitialSequenceNumbers;
import io.mtcp4j.stack.tcp.SynCookies;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The engines of one stack over one device (DESIGN.md "Engine", "Flow affinity"):
 * {@link EngineConfig#engines()} engines, engine {@code i} reading device queue {@code i} (and
 * queues {@code i + n}, {@code i + 2n}, ... when the device has more queues than the group has
 * engines) and transmitting on queue {@code i}.
 *
 * <h2>Who owns a flow</h2>
 * Each flow lives in exactly one engine's flow table, its owner's ({@link FlowOwnership}): the
 * engine whose queue the device steers the flow to when the device can say
 * ({@link NetDevice#steering()}), else a software hash of the four-tuple that every engine
 * computes alike. A TCP segment or an ICMP error about a flow that arrives at another engine is
 * copied into one of that engine's preallocated hand-off slots and queued to the owner, which
 * processes it in the receive step of its next loop as if it had received it
 * ({@link EngineCounters#framesHandedOff()}, {@link EngineCounters#framesTakenOver()}; when the
 * slots are all in flight the frame is dropped as {@link EngineDrop#HANDOFF_QUEUE_FULL}).
 * Active opens take a local port whose four-tuple the group's ownership maps to the opening
 * engine ({@link EphemeralPorts}, shared by all engines), so with device steering their frames
 * need no hand-off at all, and passive flows stay where the device steers their SYN.
 *
 * <h2>Neighbours</h2>
 * Every engine keeps its own ARP and IPv6 neighbour caches and resolves its next hops itself
 * (no cache is shared across threads). Answers arrive at whichever engine the device steers them
 * to (an RSS device puts all ARP on queue 0), so the engine that receives an ARP or neighbour
 * solicitation or advertisement answers it and hands a copy to every other engine, which only
 * learns from it: the engine whose solicitation it answers finds its entry resolved, and the
 * others learn the neighbour without asking. ICMP echo requests are answered by the engine that
 * received them. IP drop counters of those copies are counted by every engine that sees one.
 *
 * <h2>Shared state</h2>
 * The configuration, the ephemeral ports, and the keys of initial sequence numbers, timestamp
 * offsets and SYN cookies (each engine holds its own copy of the hashers, which are not
 * thread-safe). A flow never moves between engines, so nothing requires the keys to agree, but
 * agreeing keys cost nothing and keep one stack's ISNs and timestamps per address pair on one
 * clock (RFC 6528, RFC 7323 5.4), whichever engine a later connection between the same hosts
 * lands on, as RFC 6191's TIME_WAIT reuse assumes of a host.
 *
 * <h2>Threads</h2>
 * Each engine belongs to one thread ({@link EngineRunner}), or all to one test stepping them
 * with {@link #doWork(int, long)}. The group's own methods that touch engines ({@link #listen},
 * {@link #unlisten}) call into every engine, so until the command queue carries them, call them
 * before the engines' threads start (or from the thread stepping them all).
 */
public final class EngineGroup {
    /** Frames each engine may have in flight to the other engines by default. */
    public static final int DEFAULT_HANDOFF_FRAMES = 512;

    private final EngineConfig config;
    private final NetDevice device;
    private final Engine[] engines;
    private final FlowOwnership ownership;
    private final EphemeralPorts ephemeralPorts;

    /**
     * {@code config.engines()} engines over {@code device}, with {@link #DEFAULT_HANDOFF_FRAMES}
     * hand-off slots each and the ownership rule of {@link FlowOwnership#of(NetDevice, int)}.
     *
     * @param startNs the clock's value now (the timer wheels' origin)
     * @throws IllegalArgumentException when the device has fewer queues than {@code config.engines()}
     */
    public EngineGroup(EngineConfig config, NetDevice device, long startNs) {
        this(config, device, startNs, DEFAULT_HANDOFF_FRAMES, null);
    }

    /**
     * As {@link #EngineGroup(EngineConfig, NetDevice, long)} with {@code handoffFrames} hand-off
     * slots per engine, and {@code ownership} (null for {@link FlowOwnership#of(NetDevice, int)}).
     */
    public EngineGroup(EngineConfig config, NetDevice device, long startNs, int handoffFrames, FlowOwnership ownership) {
        this.config = Objects.requireNonNull(config, "config");
        this.device = Objects.requireNonNull(device, "device");
        int count = config.engines();
        if (count > device.queueCount()) {
            throw new IllegalArgumentException("engines=" + count + " but device " + device.name() + " has "
                    + device.queueCount() + (device.queueCount() == 1 ? " queue" : " queues")
                    + "; one engine per queue at most");
        }
        if (handoffFrames < 1) {
            throw new IllegalArgumentException("handoffFrames must be positive: " + handoffFrames);
        }
        this.ownership = ownership != null ? ownership : FlowOwnership.of(device, count);
        if (this.ownership.engines() != count) {
            throw new IllegalArgumentException("ownership is for " + this.ownership.engines() + " engines, the group has " + count);
        }
        this.ephemeralPorts = EphemeralPorts.of(config, this.ownership);
        FrameHandoff handoff = count == 1 ? null
                : new FrameHandoff(count, handoffFrames, device.mtu() + EthernetFlyweight.TAGGED_HEADER_LENGTH);
        InitialSequenceNumbers initialSequenceNumbers = InitialSequenceNumbers.withRandomKey();
        SynCookies synCookies = SynCookies.withRandomKey();
        this.engines = new Engine[count];
        for (int i = 0; i < count; i++) {
            engines[i] = new Engine(config, device, i, startNs, i, this.ownership, ephemeralPorts, handoff,
                    initialSequenceNumbers.copy(), synCookies.copy(), extraQueues(i, count, device.queueCount()));
        }
    }

    /** Queues {@code i + n}, {@code i + 2n}, ... below {@code queues}: read by engine {@code i} of {@code n}. */
    private static int[] extraQueues(int engine, int engines, int queues) {
        int[] extra = new int[(queues - engine - 1) / engines];
        for (int k = 0; k < extra.length; k++) {
            extra[k] = engine + (k + 1) * engines;
        }
        return extra;
    }

    /** Engines in the group. */
    public int size() {
        return engines.length;
    }

    /** Engine {@code i}, which reads device queue {@code i}. */
    public Engine engine(int i) {
        return engines[i];
    }

    /** The engines, in order. */
    public List<Engine> engines() {
        return List.of(engines);
    }

    /** One loop of engine {@code i} ({@link Engine#doWork}): for tests stepping the group in one thread. */
    public int doWork(int i, long nowNs) {
        return engines[i].doWork(nowNs);
    }

    /** One loop of every engine in order, in one thread (tests); returns the work done in all. */
    public int doWork(long nowNs) {
        int work = 0;
        for (Engine engine : engines) {
            work += engine.doWork(nowNs);
        }
        return work;
    }

    /**
     * Listens on {@code port} on every engine: a SYN is taken by the listener of the engine that
     * owns its four-tuple, so accepted connections come from whichever engine that is. Returns
     * the listeners, one per engine, in engine order.
     *
     * @throws IllegalStateException if the port already has a listener in this family
     */
    public List<TcpListener> listen(boolean ipv6, int port, int backlog) {
        List<TcpListener> listeners = new ArrayList<>(engines.length);
        try {
            for (Engine engine : engines) {
                listeners.add(engine.listen(ipv6, port, backlog));
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < listeners.size(); i++) {
                engines[i].unlisten(ipv6, listeners.get(i));
            }
            throw e;
        }
        return Collections.unmodifiableList(listeners);
    }

    /** Stops the listeners {@link #listen} returned. */
    public void unlisten(boolean ipv6, List<TcpListener> listeners) {
        if (listeners.size() != engines.length) {
            throw new IllegalArgumentException("one listener per engine expected: " + listeners.size() + " for " + engines.length);
        }
        for (int i = 0; i < engines.length; i++) {
            engines[i].unlisten(ipv6, listeners.get(i));
        }
    }

    /** Opens a connection from engine {@code i} ({@link Engine#connect(InetAddress, int, ConnectionHandler)}). */
    public TcpConnection connect(int i, InetAddress remote, int remotePort, ConnectionHandler handler) {
        return engines[i].connect(remote, remotePort, handler);
    }

    /** The earliest {@link Engine#nextDeadlineNs()} of the engines. */
    public long nextDeadlineNs() {
        long next = Long.MAX_VALUE;
        for (Engine engine : engines) {
            next = Math.min(next, engine.nextDeadlineNs());
        }
        return next;
    }

    /** Connections in all engines' flow tables. */
    public int flowCount() {
        int count = 0;
        for (Engine engine : engines) {
            count += engine.flowCount();
        }
        return count;
    }

    public EngineConfig config() {
        return config;
    }

    public NetDevice device() {
        return device;
    }

    public FlowOwnership ownership() {
        return ownership;
    }

    /** The ephemeral ports shared by the engines. */
    public EphemeralPorts ephemeralPorts() {
        return ephemeralPorts;
    }

    @Override
    public String toString() {
        return "EngineGroup[" + engines.length + " engines on " + device.name() + ", " + ownership + "]";
    }
}
