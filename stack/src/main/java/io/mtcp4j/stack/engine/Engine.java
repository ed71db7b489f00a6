package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.device.Offload;
import io.mtcp4j.stack.ip.IcmpErrorReport;
import io.mtcp4j.stack.ip.IpControl;
import io.mtcp4j.stack.ip.IpDrop;
import io.mtcp4j.stack.ip.NeighborCache;
import io.mtcp4j.stack.ip.NeighborOutput;
import io.mtcp4j.stack.ip.NextHop;
import io.mtcp4j.stack.ip.RouteKind;
import io.mtcp4j.stack.ip.RoutingTable;
import io.mtcp4j.stack.tcp.InitialSequenceNumbers;
import io.mtcp4j.stack.tcp.OutgoingSegment;
import io.mtcp4j.stack.tcp.RingPool;
import io.mtcp4j.stack.tcp.SynCookies;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpEndpoints;
import io.mtcp4j.stack.tcp.TcpError;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.tcp.TcpOutput;
import io.mtcp4j.stack.tcp.TcpResets;
import io.mtcp4j.stack.tcp.TcpState;
import io.mtcp4j.stack.wire.Checksum;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Icmpv4Flyweight;
import io.mtcp4j.stack.wire.Icmpv6Flyweight;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.MacAddress;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.device.WaitHandle;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Objects;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * One per-core engine: a duty cycle (Agrona's {@code Agent.doWork}, mTCP's {@code RunMainLoop})
 * that owns one device queue, its flows, their timers and the IP control plane of its interface.
 * Every call happens on the engine's thread; time comes in as {@code nowNs}, read once per loop
 * by the caller ({@link EngineRunner}, or a test stepping engines with an injected clock).
 *
 * <h2>One loop: {@link #doWork(long)}</h2>
 * <ol>
 *   <li><b>Receive</b> a burst of up to 64 frames from the queue and parse each with
 *       {@link FrameParser}. Checksums are verified unless the frame carries
 *       {@link FrameBatch#CHECKSUM_VERIFIED} (the device checked them) or
 *       {@link FrameBatch#CHECKSUM_PARTIAL} (it never crossed a wire: a loop device with checksum
 *       offload passes such frames with the checksum field unfilled, see
 *       {@link Offload#RX_CHECKSUM}). A device with {@code RX_CHECKSUM} may still deliver frames
 *       with neither flag (it could not check them), so the decision is per frame. ARP,
 *       neighbour discovery and echo requests go to {@link IpControl} and its replies are sent;
 *       ICMP errors are read by {@link IcmpErrorReport} and matched to their flow; TCP segments go
 *       to their connection through the {@link FlowTable}, else to a listener through the
 *       {@link ListenerTable}, else are answered by {@link TcpResets#replyToClosedPort}. Every
 *       dropped frame is counted by name ({@link EngineCounters}). A connection a segment
 *       touched is put on the dirty list, once per loop.</li>
 *   <li><b>Timers</b>: the {@link TimerWheel} holds one timer per connection at the connection's
 *       {@link TcpConnection#nextDeadlineNs()}; an expiry calls {@link TcpConnection#onTimers}
 *       and marks the connection dirty. The neighbour caches' timers run here too.</li>
 *   <li><b>Commands</b>: a bounded number of tasks queued with {@link #submit(Runnable)}. In this
 *       version the application runs on the engine thread and calls {@link #connect},
 *       {@link #listen}, {@link #write}, {@link #read} and {@link #close} directly between loops;
 *       the cross-thread MPSC command queue and per-flow SPSC rings of DESIGN.md replace that in
 *       a later step.</li>
 *   <li><b>Readiness</b>: each dirty connection's {@link TcpConnection#takeEvents()} bits go once
 *       to its {@link ConnectionHandler}.</li>
 *   <li><b>Transmit</b>: each dirty connection's {@link TcpConnection#transmit} (control, then
 *       ACK, then data, in the connection's own order) through the engine's {@link TcpOutput},
 *       which builds Ethernet, IPv4 or IPv6 and TCP headers straight into a buffer the device
 *       lends, copies the payload from the send ring once, and fills the checksums (the TCP
 *       checksum in software, or as {@link FrameBatch#CHECKSUM_PARTIAL} metadata when the device
 *       offers {@link Offload#TX_CHECKSUM}). Routes come from the {@link RoutingTable}, the
 *       destination MAC from the neighbour cache; a frame whose next hop is unresolved is held by
 *       the cache (with its checksum complete, since it leaves later as a plain copy) and a
 *       solicitation goes out. A connection that reached CLOSED leaves the flow table here.</li>
 *   <li><b>Flush</b>: one {@link NetDevice#transmit} for the loop's batch (plus one each time the
 *       64-frame batch filled up earlier, counted as {@link EngineCounters#earlyFlushes()}).</li>
 *   <li>The return value is the work done; 0 lets the idle strategy wait until
 *       {@link #nextDeadlineNs()}.</li>
 * </ol>
 *
 * <h2>Engine groups</h2>
 * An engine alone serves one queue and owns every flow. Engine {@code i} of an
 * {@link EngineGroup} first takes over the frames other engines handed it (processed exactly as
 * received), then receives from queue {@code i} (and the group's extra queues it reads); a TCP
 * segment or ICMP error whose flow another engine owns ({@link FlowOwnership}) is copied to that
 * engine's hand-off queue instead of being processed, and each received ARP or neighbour
 * discovery frame is answered here and copied to every other engine's neighbour caches. Active
 * opens take their local port from the group's {@link EphemeralPorts}, one that steers back to
 * this engine, and give it back when the flow leaves the table. Engine 0 announces the
 * interface's addresses (gratuitous ARP, unsolicited neighbour advertisement) in its first loop.
 *
 * <h2>ICMP errors</h2>
 * An error is matched to its flow and its quoted sequence number checked against the flow's
 * window (RFC 5927); "fragmentation needed" / "packet too big" then lowers the flow's MSS
 * ({@link EngineCounters#pathMtuUpdates()}); "destination unreachable" fails a connect in
 * SYN_SENT with what it means (refused, no route to host, network unreachable) and is a soft
 * error, the reason given if the connection later times out, on an open connection.
 *
 * <h2>Allocation</h2>
 * The per-packet path is built to allocate nothing: flyweights, the parser, the batches, the
 * reply descriptor, the route result and the dirty list are fields created once; the flow table
 * and the timer wheel allocate nothing per operation. Opening a connection allocates its control
 * block (as does {@link #submit}); its send and receive rings come from the engine's
 * {@link RingPool} and go back to it when the connection is done with them, so in the steady
 * state they are reused, not allocated.
 *
 * <p>Not thread-safe: one engine belongs to one thread.
 */
public final class Engine {
    /** The one interface an engine serves, in its routing table. */
    private static final int INTERFACE = 0;
    private static final int TTL = 64;
    private static final int IPV4_HEADER_BYTES = Ipv4Flyweight.MINIMUM_HEADER_LENGTH;
    private static final int IPV6_HEADER_BYTES = Ipv6Flyweight.FIXED_HEADER_LENGTH;
    private static final int ETHERNET_HEADER_BYTES = EthernetFlyweight.HEADER_LENGTH;
    private static final int TCP_HEADER_BYTES = TcpFlyweight.MIN_HEADER_LENGTH;
    private static final int COMMAND_CHUNK = 256;
    private static final System.Logger LOG = System.getLogger("io.mtcp4j.stack.engine");
    /** Room for any answer IpControl writes to an ARP or neighbour discovery frame (86 bytes, tagged 90). */
    private static final int LEARN_ONLY_REPLY_BYTES = 128;
    /** {@link #currentFrameOrigin}: received from the device. */
    private static final int FROM_DEVICE = -1;
    /** While idle with extra queues, how often to look at them: their frames do not wake this engine. */
    private static final long EXTRA_QUEUE_POLL_NS = 1_000_000L;

    private final EngineConfig config;
    private final NetDevice device;
    private final int queue;
    private final long mac;
    private final boolean transmitChecksumOffload;
    private final TcpConfig ipv4TcpConfig;
    private final TcpConfig ipv6TcpConfig;

    private final FrameBatch receiveBatch;
    private final FrameBatch transmitBatch = new FrameBatch();
    private final FrameParser parser = new FrameParser();
    private final RoutingTable routes;
    private final NeighborCache arpCache;
    private final NeighborCache neighborCache;
    private final IpControl ipControl;
    private final IcmpErrorReport icmpErrors = new IcmpErrorReport();
    private final NextHop nextHop = new NextHop();

    private final FlowTable<Flow> flows;
    private final ListenerTable<TcpListener> listeners = new ListenerTable<>();
    private final TimerWheel timers;
    private final InitialSequenceNumbers initialSequenceNumbers;
    private final SynCookies synCookies;
    private final EngineCounters counters = new EngineCounters();
    /** The send and receive rings of this engine's connections. */
    private final RingPool ringPool;

    private final EthernetFlyweight ethernetOut = new EthernetFlyweight();
    private final Ipv4Flyweight ipv4Out = new Ipv4Flyweight();
    private final Ipv6Flyweight ipv6Out = new Ipv6Flyweight();
    private final TcpFlyweight tcpOut = new TcpFlyweight();
    private final OutgoingSegment reply = new OutgoingSegment();

    private final TcpOutput output = this::transmitSegment;
    private final TimerWheel.Handler timerHandler = this::timerExpired;
    private final NeighborOutput arpOutput = new CacheOutput(false);
    private final NeighborOutput neighborOutput = new CacheOutput(true);
    /** Step 3's input: tasks from any thread (MPSC); a socket's notices are one reused task each. */
    private final MpscUnboundedAtomicArrayQueue<Runnable> commands = new MpscUnboundedAtomicArrayQueue<>(COMMAND_CHUNK);
    private final WaitHandle waitHandle;
    /** Wakeups requested while publishing this loop's events, each once; run after the last event. */
    private Wakeup[] wakeups = new Wakeup[8];
    private int wakeupCount;
    /** The handler each listener's children start with (see {@link #listen(boolean, int, int, ConnectionHandler)}). */
    private final IdentityHashMap<TcpListener, ConnectionHandler> childHandlers = new IdentityHashMap<>();

    /** Connections touched in this loop, each once ({@link Flow#dirty}); carried over while output is still due. */
    private Flow[] dirty;
    private int dirtyCount;

    private int ipv4Identification;

    // Group membership (EngineGroup): who owns which flow, the hand-off queues, the shared ports.
    /** This engine's number in its group, 0 for an engine alone. */
    private final int index;
    private final FlowOwnership ownership;
    /** Local ports of active opens, shared by the group; released when a flow leaves the table. */
    private final EphemeralPorts ephemeralPorts;
    /** Null for an engine alone. */
    private final FrameHandoff handoff;
    /** Device queues beyond the group's size that this engine reads too ({@link FlowOwnership#engineOfQueue}). */
    private final int[] extraQueues;
    /** Where the IP control plane's answers to neighbour copies go: another engine answered the original. */
    private final MemorySegment discardedReply = MemorySegment.ofArray(new byte[LEARN_ONLY_REPLY_BYTES]);
    /** The frame being processed: where it is, and whether it came from the device or another engine. */
    private MemorySegment currentFrame;
    private long currentFrameOffset;
    private int currentFrameLength;
    private int currentFrameOrigin;
    /** Engines this loop handed frames to, one bit each: their wait handles are signalled once. */
    private long handedOffTo;
    /** The gratuitous ARP and unsolicited advertisement are due (engine 0's first loop). */
    private boolean announcementsDue;

    private ConnectionHandler defaultHandler = (connection, events) -> { };
    /** The time of the current (or last) loop; application calls between loops act at this time. */
    private long nowNs;

    /** A connection as the engine holds it: its timer, its handler, whether it is on the dirty list. */
    private static final class Flow {
        final TcpConnection connection;
        final TimerWheel.Timer timer;
        final boolean ephemeralPort;
        ConnectionHandler handler;
        boolean dirty;

        Flow(TcpConnection connection, boolean ephemeralPort) {
            this.connection = connection;
            this.timer = new TimerWheel.Timer(this, 0);
            this.ephemeralPort = ephemeralPort;
        }
    }

    /**
     * @param device  the device; this engine uses queue {@code queue} alone
     * @param startNs the clock's value now (the timer wheel's origin)
     */
    public Engine(EngineConfig config, NetDevice device, int queue, long startNs) {
        this(config, device, queue, startNs, 0, FlowOwnership.single(), null, null,
                InitialSequenceNumbers.withRandomKey(), SynCookies.withRandomKey(), new int[0]);
    }

    /**
     * Engine {@code index} of an {@link EngineGroup}: it reads queue {@code index} and
     * {@code extraQueues}, and shares the group's ownership, ports, hand-off queues and keys.
     * {@code ephemeralPorts} null makes the engine its own allocator (an engine alone).
     */
    Engine(EngineConfig config, NetDevice device, int queue, long startNs, int index, FlowOwnership ownership,
           EphemeralPorts ephemeralPorts, FrameHandoff handoff, InitialSequenceNumbers initialSequenceNumbers,
           SynCookies synCookies, int[] extraQueues) {
        this.config = Objects.requireNonNull(config, "config");
        this.device = Objects.requireNonNull(device, "device");
        if (queue < 0 || queue >= device.queueCount()) {
            throw new IllegalArgumentException("queue " + queue + " outside the device's " + device.queueCount() + " queues");
        }
        this.queue = queue;
        this.waitHandle = device.waitHandle(queue);
        StackAddresses addresses = config.addresses();
        this.mac = addresses.macAddress();
        this.transmitChecksumOffload = device.supports(Offload.TX_CHECKSUM);
        int mtu = device.mtu();
        TcpConfig tcp = config.tcp();
        this.ipv4TcpConfig = tcp.with(b -> b.mssBytes(Math.min(tcp.mssBytes(), mtu - IPV4_HEADER_BYTES - TCP_HEADER_BYTES)));
        this.ipv6TcpConfig = tcp.with(b -> b.mssBytes(Math.min(tcp.mssBytes(), mtu - IPV6_HEADER_BYTES - TCP_HEADER_BYTES)));

        this.receiveBatch = new FrameBatch(config.receiveBurstFrames());
        this.routes = new RoutingTable();
        if (addresses.hasIpv4()) {
            routes.addIpv4Address(addresses.ipv4Address(), addresses.ipv4PrefixLength(), INTERFACE);
            if (addresses.ipv4Gateway() != 0) {
                routes.addIpv4DefaultGateway(addresses.ipv4Gateway(), INTERFACE);
            }
        }
        if (addresses.hasIpv6()) {
            routes.addIpv6Address(addresses.ipv6Address(), addresses.ipv6PrefixLength(), INTERFACE);
            if (!addresses.ipv6Gateway().isUnspecified()) {
                routes.addIpv6DefaultGateway(addresses.ipv6Gateway(), INTERFACE);
            }
        }
        this.arpCache = new NeighborCache(config.neighbors());
        this.neighborCache = new NeighborCache(config.neighbors());
        this.ipControl = new IpControl(mac, INTERFACE, routes, arpCache, neighborCache);
        this.flows = new FlowTable<>(config.expectedFlows());
        this.dirty = new Flow[config.expectedFlows()];
        this.timers = new TimerWheel(startNs);
        this.ringPool = new RingPool(config.ringPoolIdleBytes());
        this.nowNs = startNs;
        this.index = index;
        this.ownership = ownership;
        this.ephemeralPorts = ephemeralPorts != null ? ephemeralPorts : EphemeralPorts.of(config, ownership);
        this.handoff = handoff;
        this.initialSequenceNumbers = initialSequenceNumbers;
        this.synCookies = synCookies;
        this.extraQueues = extraQueues.clone();
        this.announcementsDue = index == 0;
    }

    // ------------------------------------------------------------------------------ duty cycle

    /**
     * One loop in mTCP's order (see the class comment).
     *
     * @param nowNs the clock, read once by the caller for this loop
     * @return the work done: frames received, timers fired, commands run, events published,
     *         segments sent; 0 when there was nothing to do
     */
    public int doWork(long nowNs) {
        this.nowNs = nowNs;
        counters.loops++;
        int work = announcementsDue ? announceAddresses() : 0;
        work += receive(nowNs);
        work += runTimers(nowNs);
        work += runCommands();
        work += publishEvents();
        work += transmitDirty(nowNs);
        // Resolutions started by this loop's sends are due at once: solicit in the same flush.
        work += arpCache.onTimers(nowNs, arpOutput) + neighborCache.onTimers(nowNs, neighborOutput);
        counters.publish(); // before the frames leave: what a peer can see is already counted
        flush();
        counters.publish(); // and the frames the flush transmitted
        return work;
    }

    /**
     * When the engine next has work without new frames: the earliest connection or neighbour
     * timer, the device's own wake-up deadline, or {@code nowNs} of the last loop when
     * connections still have output due (a full batch) or commands wait. {@link Long#MAX_VALUE}
     * when nothing is pending.
     */
    public long nextDeadlineNs() {
        if (dirtyCount > 0 || !commands.isEmpty()) {
            return nowNs;
        }
        long next = timers.nextDeadlineNs();
        next = Math.min(next, arpCache.nextDeadlineNs());
        next = Math.min(next, neighborCache.nextDeadlineNs());
        next = Math.min(next, groupDeadlineNs());
        return Math.min(next, device.wakeupDeadlineNs(queue));
    }

    // --------------------------------------------------------------------------------- receive

    private int receive(long nowNs) {
        int work = handoff == null ? 0 : takeOverHandedFrames(nowNs);
        work += receiveQueue(queue, nowNs);
        for (int extra : extraQueues) {
            work += receiveQueue(extra, nowNs);
        }
        if (handedOffTo != 0) {
            wakeEnginesHandedTo();
        }
        return work;
    }

    private int receiveQueue(int receiveQueue, long nowNs) {
        int frames = device.receive(receiveQueue, receiveBatch);
        counters.framesReceived += frames;
        for (int i = 0; i < frames; i++) {
            int flags = receiveBatch.flags(i);
            if ((flags & FrameBatch.SEGMENT_MASK) != 0) {
                counters.countDrop(EngineDrop.UNSUPPORTED_OFFLOAD); // large receive is never enabled by this engine
                continue;
            }
            boolean verify = (flags & (FrameBatch.CHECKSUM_VERIFIED | FrameBatch.CHECKSUM_PARTIAL)) == 0;
            frameArrived(nowNs, receiveBatch.segment(i), receiveBatch.offset(i), receiveBatch.length(i), verify, FROM_DEVICE);
        }
        return frames;
    }

    /**
     * One received frame, from the device or handed over by another engine of the group
     * ({@code origin} is then a {@link FrameHandoff} kind; its checksums were verified, or
     * vouched for by the device, at the engine that received it).
     */
    private void frameArrived(long nowNs, MemorySegment frame, long offset, int length, boolean verify, int origin) {
        Malformed result = parser.parse(frame, offset, length, verify);
        if (result != Malformed.NONE) {
            counters.countMalformed(result);
            return;
        }
        long destinationMac = parser.ethernet().destination();
        if (destinationMac != mac && !MacAddress.isMulticast(destinationMac)) {
            counters.countDrop(EngineDrop.FOREIGN_MAC);
            return;
        }
        currentFrame = frame;
        currentFrameOffset = offset;
        currentFrameLength = length;
        currentFrameOrigin = origin;
        if (parser.network() == FrameParser.Network.ARP) {
            if (isNeighborCopy()) {
                ipControl.onArp(parser, nowNs, arpOutput, discardedReply, 0);
                return;
            }
            copyToOtherEngines();
            int index = borrowBuffer();
            if (index >= 0) {
                int replyBytes = ipControl.onArp(parser, nowNs, arpOutput, transmitBatch.segment(index), transmitBatch.offset(index));
                replyLength(index, replyBytes);
            }
            return;
        }
        switch (parser.transport()) {
            case TCP -> tcpArrived(nowNs, frame);
            case ICMPV4 -> icmpv4Arrived(nowNs);
            case ICMPV6 -> icmpv6Arrived(nowNs);
            default -> counters.countMalformed(Malformed.UNSUPPORTED_PROTOCOL);
        }
    }

    private void icmpv4Arrived(long nowNs) {
        Icmpv4Flyweight icmp = parser.icmpv4();
        if (icmp.isError()) {
            icmpErrorArrived(nowNs);
            return;
        }
        if (icmp.type() == Icmpv4Flyweight.TYPE_ECHO_REPLY) {
            counters.echoRepliesReceived++;
            return;
        }
        int index = borrowBuffer();
        if (index >= 0) {
            replyLength(index, ipControl.onIcmpv4(parser, transmitBatch.segment(index), transmitBatch.offset(index)));
        }
    }

    private void icmpv6Arrived(long nowNs) {
        int type = parser.icmpv6().type();
        if (Icmpv6Flyweight.isError(type)) {
            icmpErrorArrived(nowNs);
            return;
        }
        if (type == Icmpv6Flyweight.ECHO_REPLY) {
            counters.echoRepliesReceived++;
            return;
        }
        if (type == Icmpv6Flyweight.NEIGHBOR_SOLICITATION || type == Icmpv6Flyweight.NEIGHBOR_ADVERTISEMENT) {
            if (isNeighborCopy()) {
                ipControl.onIcmpv6(parser, nowNs, neighborOutput, discardedReply, 0);
                return;
            }
            copyToOtherEngines();
        }
        int index = borrowBuffer();
        if (index >= 0) {
            replyLength(index, ipControl.onIcmpv6(parser, nowNs, neighborOutput,
                    transmitBatch.segment(index), transmitBatch.offset(index)));
        }
    }

    /**
     * Matches an ICMP error to its flow. The quoted sequence number must lie in the flow's unacknowledged
     * window (RFC 5927 4.1), else the error is counted and ignored as blind or stale. "Fragmentation
     * needed" (RFC 1191) and "packet too big" (RFC 8201) lower the flow's MSS
     * ({@link TcpConnection#pathMtuChanged}); "destination unreachable" fails a connect in SYN_SENT
     * and is a soft error afterwards ({@link TcpConnection#icmpUnreachable}, RFC 1122 4.2.3.9, as
     * Linux); time exceeded and parameter problems are only counted.
     */
    private void icmpErrorArrived(long nowNs) {
        IpDrop result = icmpErrors.read(parser);
        if (result != IpDrop.NONE) {
            ipControl.drops().increment(result);
            return;
        }
        if (handOffToOwner(icmpErrors.isIpv6(), icmpErrors.localHigh(), icmpErrors.localLow(), icmpErrors.localPort(),
                icmpErrors.remoteHigh(), icmpErrors.remoteLow(), icmpErrors.remotePort())) {
            return;
        }
        Flow flow = flows.get(icmpErrors.isIpv6(), icmpErrors.localHigh(), icmpErrors.localLow(), icmpErrors.localPort(),
                icmpErrors.remoteHigh(), icmpErrors.remoteLow(), icmpErrors.remotePort());
        if (flow == null) {
            counters.countDrop(EngineDrop.ICMP_ERROR_NO_FLOW);
            return;
        }
        TcpConnection connection = flow.connection;
        if (!icmpErrors.sequenceInWindow(connection.sendUnacknowledged(), connection.sendMax())) {
            counters.countDrop(EngineDrop.ICMP_ERROR_OUT_OF_WINDOW);
            return;
        }
        counters.icmpErrorsForFlows++;
        if (icmpErrors.kind() == IcmpErrorReport.Kind.PATH_MTU) {
            connection.pathMtuChanged(nowNs, icmpErrors.mssBytes());
            counters.pathMtuUpdates++;
            markDirty(flow);
        } else if (icmpErrors.kind() == IcmpErrorReport.Kind.UNREACHABLE) {
            connection.icmpUnreachable(unreachableError(icmpErrors));
            markDirty(flow);
        }
    }

    /**
     * What an ICMP "destination unreachable" means for a connection, as Linux converts it
     * (icmp_err_convert, icmpv6_err_convert): port unreachable is a refusal, network unreachable
     * its own error, the rest (host unreachable, prohibited, ...) "No route to host".
     */
    private static TcpError unreachableError(IcmpErrorReport report) {
        int code = report.code();
        if (report.isIpv6()) {
            return switch (code) {
                case 4 -> TcpError.CONNECTION_REFUSED;  // port unreachable
                case 0 -> TcpError.NETWORK_UNREACHABLE; // no route to destination
                default -> TcpError.HOST_UNREACHABLE;
            };
        }
        return switch (code) {
            case 3 -> TcpError.CONNECTION_REFUSED;  // port unreachable
            case 0, 6, 11 -> TcpError.NETWORK_UNREACHABLE; // net unreachable, unknown, for TOS
            default -> TcpError.HOST_UNREACHABLE;
        };
    }

    private void tcpArrived(long nowNs, MemorySegment frame) {
        boolean ipv6 = parser.network() == FrameParser.Network.IPV6;
        long localHigh;
        long localLow;
        long remoteHigh;
        long remoteLow;
        if (ipv6) {
            Ipv6Flyweight ip = parser.ipv6();
            localHigh = ip.destinationHigh();
            localLow = ip.destinationLow();
            remoteHigh = ip.sourceHigh();
            remoteLow = ip.sourceLow();
            if (!routes.isLocalIpv6(localHigh, localLow)) {
                counters.countDrop(EngineDrop.NOT_LOCAL_ADDRESS);
                return;
            }
        } else {
            Ipv4Flyweight ip = parser.ipv4();
            localHigh = 0;
            localLow = Integer.toUnsignedLong(ip.destination());
            remoteHigh = 0;
            remoteLow = Integer.toUnsignedLong(ip.source());
            if (!routes.isLocalIpv4(ip.destination())) {
                counters.countDrop(EngineDrop.NOT_LOCAL_ADDRESS);
                return;
            }
        }
        TcpFlyweight tcp = parser.tcp();
        int localPort = tcp.destinationPort();
        int remotePort = tcp.sourcePort();
        if (handOffToOwner(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort)) {
            return;
        }
        counters.segmentsReceived++;
        Flow flow = flows.get(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        if (flow != null && isNewSynForTimeWait(flow.connection, tcp)) {
            // RFC 6191 (RFC 1122 4.2.2.13): a new SYN may reuse a four-tuple in TIME_WAIT. The old
            // connection ends silently and the listener takes the SYN as a new connection.
            flow.connection.abort(nowNs);
            timers.cancel(flow.timer);
            removeFlow(flow);
            counters.timeWaitReuses++;
            flow = null;
        }
        if (flow != null) {
            flow.connection.segmentArrived(nowNs, tcp, frame);
            markDirty(flow);
            return;
        }
        TcpListener listener = listeners.find(ipv6, localHigh, localLow, localPort);
        if (listener == null) {
            counters.countDrop(EngineDrop.NO_LISTENER);
            if (TcpResets.replyToClosedPort(tcp, reply)) {
                counters.resetsSent++;
                buildSegment(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort, reply, nowNs);
            }
            return;
        }
        switch (listener.segmentArrived(nowNs, ipv6, localHigh, localLow, remoteHigh, remoteLow, tcp, frame, reply)) {
            case NEW_CONNECTION -> {
                counters.passiveOpens++;
                Flow child = new Flow(listener.newConnection(), false);
                child.handler = childHandlers.get(listener);
                flows.put(child.connection.endpoints(), child);
                markDirty(child);
            }
            case REPLY -> {
                if ((reply.flags() & TcpFlyweight.FLAG_RST) != 0) {
                    counters.resetsSent++;
                }
                buildSegment(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort, reply, nowNs);
            }
            case DROP -> counters.countDrop(EngineDrop.LISTENER_REFUSED);
        }
    }

    // ------------------------------------------------------------ group: ownership and hand-offs

    /**
     * Step 1's intake from the other engines of the group: frames they handed over, processed as
     * if received from the device. At most one burst per other engine per loop, so an engine
     * keeps up with what every other engine can hand it in a loop.
     */
    private int takeOverHandedFrames(long nowNs) {
        int limit = config.receiveBurstFrames() * (handoff.engines() - 1);
        int taken = 0;
        FrameHandoff.Slot slot;
        while (taken < limit && (slot = handoff.poll(index)) != null) {
            taken++;
            if (slot.kind == FrameHandoff.KIND_OWNED) {
                counters.framesTakenOver++;
            }
            frameArrived(nowNs, slot.buffer, 0, slot.length, false, slot.kind);
            handoff.release(slot);
        }
        return taken;
    }

    /**
     * Hands the current frame, about this four-tuple, to the engine that owns the tuple when that
     * is another engine and the frame came from the device. Returns whether it did (or tried, and
     * counted the drop): the caller is then done with the frame.
     */
    private boolean handOffToOwner(boolean ipv6, long localHigh, long localLow, int localPort,
                                   long remoteHigh, long remoteLow, int remotePort) {
        if (handoff == null || currentFrameOrigin != FROM_DEVICE) {
            return false;
        }
        int owner = ownership.ownerOf(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        if (owner == index) {
            return false;
        }
        handOff(owner, FrameHandoff.KIND_OWNED);
        return true;
    }

    /**
     * Gives every other engine of the group a copy of the current ARP or neighbour discovery
     * frame, for its own neighbour caches: an answer to one engine's solicitation arrives at
     * whichever engine the device steers it to (ARP always on queue 0), and each engine resolves
     * its next hops alone. This engine answers the frame; the copies only teach.
     */
    private void copyToOtherEngines() {
        if (handoff == null || currentFrameOrigin != FROM_DEVICE) {
            return;
        }
        for (int to = 0; to < handoff.engines(); to++) {
            if (to != index) {
                handOff(to, FrameHandoff.KIND_NEIGHBOR_COPY);
            }
        }
    }

    private void handOff(int to, int kind) {
        if (handoff.offer(index, to, currentFrame, currentFrameOffset, currentFrameLength, kind)) {
            if (kind == FrameHandoff.KIND_OWNED) {
                counters.framesHandedOff++;
            } else {
                counters.neighborCopiesSent++;
            }
            handedOffTo |= 1L << to;
        } else {
            counters.countDrop(EngineDrop.HANDOFF_QUEUE_FULL);
        }
    }

    private boolean isNeighborCopy() {
        return currentFrameOrigin == FrameHandoff.KIND_NEIGHBOR_COPY;
    }

    /** Wakes, once per loop, each engine this loop handed frames to: it may be blocked on its queue. */
    private void wakeEnginesHandedTo() {
        long engines = handedOffTo;
        handedOffTo = 0;
        while (engines != 0) {
            device.waitHandle(Long.numberOfTrailingZeros(engines)).signal();
            engines &= engines - 1;
        }
    }

    /** Now when frames were handed to this engine; a poll interval while extra queues may fill unseen. */
    private long groupDeadlineNs() {
        if (handoff != null && handoff.hasFrames(index)) {
            return nowNs;
        }
        return extraQueues.length > 0 ? nowNs + EXTRA_QUEUE_POLL_NS : Long.MAX_VALUE;
    }

    /**
     * The start-up announcements of the interface's addresses, once, by engine 0: a gratuitous
     * ARP in RFC 5227 2.3's announcement form for the IPv4 address and an unsolicited neighbour
     * advertisement (RFC 4861 7.2.6: to all nodes, Override set) for the IPv6 address, so that
     * neighbours holding an entry for an address update it to this interface's MAC. Neighbours
     * without an entry create none (RFC 826 merges only; RFC 4861 7.2.5 discards an unsolicited
     * advertisement for an unknown target), as Linux does by default ({@code arp_accept=0},
     * {@code accept_untracked_na=0}). RFC 5227 sends two announcements and RFC 4861 allows up to
     * three; one is sent, and a lost one costs nothing but a neighbour's stale entry timing out.
     */
    private int announceAddresses() {
        announcementsDue = false;
        StackAddresses addresses = config.addresses();
        int sent = 0;
        if (addresses.hasIpv4()) {
            int at = borrowBuffer();
            if (at >= 0) {
                transmitBatch.length(at, ipControl.writeGratuitousArp(addresses.ipv4Address(),
                        transmitBatch.segment(at), transmitBatch.offset(at)));
                sent++;
            }
        }
        if (addresses.hasIpv6()) {
            int at = borrowBuffer();
            if (at >= 0) {
                Ipv6Address address = addresses.ipv6Address();
                transmitBatch.length(at, ipControl.writeUnsolicitedAdvertisement(address.high(), address.low(),
                        transmitBatch.segment(at), transmitBatch.offset(at)));
                sent++;
            }
        }
        counters.announcementsSent += sent;
        return sent;
    }

    // ---------------------------------------------------------------------------------- timers

    private int runTimers(long nowNs) {
        int fired = timers.poll(nowNs, timerHandler, config.timerExpiriesPerLoop());
        counters.timersFired += fired;
        return fired + arpCache.onTimers(nowNs, arpOutput) + neighborCache.onTimers(nowNs, neighborOutput);
    }

    private void timerExpired(TimerWheel.Timer timer, long nowNs) {
        Flow flow = (Flow) timer.owner();
        flow.connection.onTimers(nowNs);
        markDirty(flow);
    }

    // -------------------------------------------------------------------------------- commands

    private int runCommands() {
        int run = 0;
        Runnable command;
        while (run < config.commandsPerLoop() && (command = commands.poll()) != null) {
            try {
                command.run();
            } catch (RuntimeException | AssertionError e) {
                applicationFailed("a command", e); // the engine carries on with its other flows
            }
            run++;
        }
        counters.commandsRun += run;
        return run;
    }

    /**
     * Queues a task for step 3 of a coming loop, at most {@link EngineConfig#commandsPerLoop()}
     * per loop, and wakes the engine if it is parked. Any thread; lock-free (JCTools'
     * {@code MpscUnboundedAtomicArrayQueue}: no node per task, one array per 256 tasks; the atomic
     * variant, so that no application sees {@code sun.misc.Unsafe} warnings). The task runs on the engine
     * thread, where it may call the engine's application methods.
     */
    public void submit(Runnable command) {
        commands.offer(Objects.requireNonNull(command, "command"));
        waitHandle.signal();
    }

    // ------------------------------------------------------------------------------- readiness

    private int publishEvents() {
        int published = 0;
        // By index and re-reading the count: a handler may touch another connection, which joins the list.
        for (int i = 0; i < dirtyCount; i++) {
            Flow flow = dirty[i];
            int events = flow.connection.takeEvents();
            if (events != 0) {
                ConnectionHandler handler = flow.handler != null ? flow.handler : defaultHandler;
                try {
                    handler.onEvents(flow.connection, events);
                } catch (RuntimeException | AssertionError e) {
                    applicationFailed("a connection handler", e);
                }
                published++;
            }
        }
        for (int i = 0; i < wakeupCount; i++) {
            Wakeup wakeup = wakeups[i];
            wakeups[i] = null;
            try {
                wakeup.wakeup();
            } catch (RuntimeException | AssertionError e) {
                applicationFailed("a wakeup", e);
            }
        }
        counters.wakeups += wakeupCount;
        wakeupCount = 0;
        return published;
    }

    /**
     * Application code that ran on the engine thread (a command or a handler) threw: counted and
     * logged, and the engine goes on, since its other flows must not stop for one caller's bug.
     */
    private void applicationFailed(String what, Throwable failure) {
        counters.applicationFailures++;
        LOG.log(System.Logger.Level.ERROR, "engine " + index + ": " + what + " threw; the engine continues", failure);
    }

    /**
     * Asks for {@code wakeup} to run once after this loop's events are published, however many
     * connections asked for it in this loop (mTCP's event aggregation: a selector is woken at
     * most once per engine loop). Engine thread only: handlers call it from
     * {@link ConnectionHandler#onEvents}. Outside step 4 the wakeup runs after the next loop's events.
     */
    public void wakeAfterPublish(Wakeup wakeup) {
        for (int i = 0; i < wakeupCount; i++) {
            if (wakeups[i] == wakeup) {
                return; // a handful of subscribers per engine: a scan beats a hash
            }
        }
        if (wakeupCount == wakeups.length) {
            wakeups = Arrays.copyOf(wakeups, 2 * wakeups.length);
        }
        wakeups[wakeupCount++] = Objects.requireNonNull(wakeup, "wakeup");
    }

    // -------------------------------------------------------------------------------- transmit

    private int transmitDirty(long nowNs) {
        int sent = 0;
        int kept = 0;
        for (int i = 0; i < dirtyCount; i++) {
            Flow flow = dirty[i];
            dirty[i] = null;
            TcpConnection connection = flow.connection;
            sent += connection.transmit(nowNs);
            if (connection.state() == TcpState.CLOSED) {
                flow.dirty = false;
                timers.cancel(flow.timer);
                removeFlow(flow);
                continue;
            }
            long deadlineNs = connection.nextDeadlineNs();
            if (deadlineNs == TcpConnection.NO_DEADLINE) {
                timers.cancel(flow.timer);
            } else if (!flow.timer.isScheduled() || flow.timer.deadlineNs() != deadlineNs) {
                timers.schedule(flow.timer, deadlineNs);
            }
            if (connection.hasOutputDue()) {
                dirty[kept++] = flow; // no buffer or batch room this loop: offer it again next loop
            } else {
                flow.dirty = false;
            }
        }
        dirtyCount = kept;
        return sent;
    }

    /** A bare SYN for a connection in TIME_WAIT that it accepts as the start of a new one (RFC 6191). */
    private static boolean isNewSynForTimeWait(TcpConnection connection, TcpFlyweight tcp) {
        return connection.state() == TcpState.TIME_WAIT
                && (tcp.flags() & (TcpFlyweight.FLAG_SYN | TcpFlyweight.FLAG_ACK | TcpFlyweight.FLAG_RST)) == TcpFlyweight.FLAG_SYN
                && connection.acceptsSynInTimeWait(tcp);
    }

    private void removeFlow(Flow flow) {
        TcpEndpoints endpoints = flow.connection.endpoints();
        if (flows.get(endpoints) == flow) {
            flows.remove(endpoints);
            counters.connectionsClosed++;
            if (flow.ephemeralPort) {
                ephemeralPorts.release(endpoints.localPort());
            }
        }
    }

    /** The engine's {@link TcpOutput}: one segment of a connection into a frame. */
    private boolean transmitSegment(TcpConnection connection, OutgoingSegment segment) {
        TcpEndpoints e = connection.endpoints();
        return buildSegment(e.ipv6(), e.localHigh(), e.localLow(), e.localPort(), e.remoteHigh(), e.remoteLow(),
                e.remotePort(), segment, nowNs);
    }

    /**
     * Builds one TCP segment's frame in a lent buffer: Ethernet, IPv4 (DF set, header checksum)
     * or IPv6, the TCP header with options, the payload copied from the send ring, the TCP
     * checksum (partial when offloaded and sent now; complete when the frame is held for a
     * neighbour, because it leaves later as a plain copy).
     *
     * @return false when no buffer was available (the connection keeps the segment due);
     *         true when the segment was sent, held, or dropped and counted
     */
    private boolean buildSegment(boolean ipv6, long localHigh, long localLow, int localPort,
                                 long remoteHigh, long remoteLow, int remotePort, OutgoingSegment segment, long nowNs) {
        boolean routed = ipv6 ? routes.routeIpv6(remoteHigh, remoteLow, nextHop) : routes.routeIpv4((int) remoteLow, nextHop);
        if (!routed) {
            counters.countDrop(EngineDrop.NO_ROUTE);
            return true;
        }
        NeighborCache cache = ipv6 ? neighborCache : arpCache;
        long destinationMac = nextHop.kind() == RouteKind.LOCAL ? mac : cache.resolve(nextHop.high(), nextHop.low(), nowNs);
        if (destinationMac == NeighborCache.TABLE_FULL) {
            counters.countDrop(EngineDrop.NEIGHBOR_UNRESOLVED);
            return true;
        }
        int index = borrowBuffer();
        if (index < 0) {
            return false;
        }
        MemorySegment buffer = transmitBatch.segment(index);
        long frameOffset = transmitBatch.offset(index);
        long ipOffset = frameOffset + ETHERNET_HEADER_BYTES;
        int ipHeaderBytes = ipv6 ? IPV6_HEADER_BYTES : IPV4_HEADER_BYTES;
        long tcpOffset = ipOffset + ipHeaderBytes;

        ethernetOut.wrapForWrite(buffer, frameOffset)
                .destination(destinationMac >= 0 ? destinationMac : MacAddress.ZERO)
                .source(mac)
                .etherType(ipv6 ? EthernetFlyweight.ETHERTYPE_IPV6 : EthernetFlyweight.ETHERTYPE_IPV4);
        tcpOut.wrapForWrite(buffer, tcpOffset)
                .sourcePort(localPort)
                .destinationPort(remotePort)
                .sequenceNumber(segment.sequenceNumber())
                .acknowledgmentNumber(segment.acknowledgmentNumber())
                .dataOffsetWords(TcpFlyweight.MIN_DATA_OFFSET_WORDS)
                .flags(segment.flags())
                .window(segment.window())
                .checksum(0)
                .urgentPointer(0);
        // The control block sizes segments, options included, to the MSS this engine derived
        // from the device MTU, so the frame fits.
        int optionBytes = segment.options().writeTo(tcpOut);
        int tcpHeaderBytes = TCP_HEADER_BYTES + optionBytes;
        segment.copyPayloadTo(buffer, tcpOffset + tcpHeaderBytes);
        int tcpBytes = tcpHeaderBytes + segment.payloadLength();

        long pseudoHeaderSum;
        if (ipv6) {
            ipv6Out.wrapForWrite(buffer, ipOffset)
                    .version(Ipv6Flyweight.VERSION)
                    .trafficClass(0)
                    .flowLabel(0)
                    .payloadLength(tcpBytes)
                    .nextHeader(Ipv6Flyweight.TCP)
                    .hopLimit(TTL)
                    .source(localHigh, localLow)
                    .destination(remoteHigh, remoteLow);
            pseudoHeaderSum = ipv6Out.pseudoHeaderSum(Ipv6Flyweight.TCP, tcpBytes);
        } else {
            ipv4Out.wrapForWrite(buffer, ipOffset)
                    .version(Ipv4Flyweight.VERSION)
                    .headerLength(IPV4_HEADER_BYTES)
                    .typeOfService(0)
                    .totalLength(IPV4_HEADER_BYTES + tcpBytes)
                    .identification(ipv4Identification++ & 0xffff)
                    .flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT)
                    .fragmentOffsetBytes(0)
                    .ttl(TTL)
                    .protocol(Ipv4Flyweight.PROTOCOL_TCP)
                    .source((int) localLow)
                    .destination((int) remoteLow)
                    .fillChecksum();
            pseudoHeaderSum = Checksum.pseudoHeaderIpv4((int) localLow, (int) remoteLow, Ipv4Flyweight.PROTOCOL_TCP, tcpBytes);
        }
        int frameBytes = ETHERNET_HEADER_BYTES + ipHeaderBytes + tcpBytes;
        counters.segmentsSent++;
        if (destinationMac >= 0) {
            if (transmitChecksumOffload) {
                tcpOut.checksum(Checksum.fold(pseudoHeaderSum));
                transmitBatch.checksumPartial(index, ETHERNET_HEADER_BYTES + ipHeaderBytes, TcpFlyweight.CHECKSUM_OFFSET);
            } else {
                tcpOut.fillChecksum(pseudoHeaderSum, tcpBytes);
            }
            transmitBatch.length(index, frameBytes);
            return true;
        }
        // Unresolved: the cache keeps a complete copy and solicits; our buffer goes back unused.
        tcpOut.fillChecksum(pseudoHeaderSum, tcpBytes);
        long held = cache.resolveOrHold(nextHop.high(), nextHop.low(), buffer, frameOffset, frameBytes, nowNs);
        if (held >= 0) {
            ethernetOut.destination(held);
            transmitBatch.length(index, frameBytes);
        } else if (held == NeighborCache.DROPPED) {
            counters.countDrop(EngineDrop.NEIGHBOR_UNRESOLVED);
        }
        return true;
    }

    /**
     * A transmit buffer appended to the batch, flushing first when the batch is full; -1 (and
     * counted) when the device has none to lend.
     */
    private int borrowBuffer() {
        if (transmitBatch.remaining() == 0) {
            counters.earlyFlushes++;
            flush();
        }
        if (device.lend(queue, transmitBatch, 1) == 0) {
            counters.countDrop(EngineDrop.NO_TRANSMIT_BUFFER);
            return -1;
        }
        return transmitBatch.count() - 1;
    }

    private void replyLength(int index, int length) {
        if (length > 0) {
            transmitBatch.length(index, length);
            counters.controlRepliesSent++;
        }
    }

    private void flush() {
        if (!transmitBatch.isEmpty()) {
            counters.framesTransmitted += device.transmit(queue, transmitBatch);
        }
    }

    /** Where a neighbour cache sends solicitations and the frames an answer released. */
    private final class CacheOutput implements NeighborOutput {
        private final boolean ipv6;

        CacheOutput(boolean ipv6) {
            this.ipv6 = ipv6;
        }

        @Override
        public void solicit(long targetHigh, long targetLow, long unicastMac) {
            int index = borrowBuffer();
            if (index < 0) {
                return;
            }
            MemorySegment buffer = transmitBatch.segment(index);
            long offset = transmitBatch.offset(index);
            int length = ipv6
                    ? ipControl.writeNeighborSolicitation(targetHigh, targetLow, unicastMac, buffer, offset)
                    : ipControl.writeArpRequest((int) targetLow, unicastMac, buffer, offset);
            transmitBatch.length(index, length);
        }

        @Override
        public void transmit(MemorySegment frame, long offset, int length) {
            int index = borrowBuffer();
            if (index < 0) {
                return;
            }
            MemorySegment.copy(frame, offset, transmitBatch.segment(index), transmitBatch.offset(index), length);
            transmitBatch.length(index, length);
        }
    }

    // ------------------------------------------------------------------- application (engine thread)

    /**
     * Opens a connection to {@code remote}:{@code remotePort} from the interface address the
     * routing table picks and an ephemeral port that no active open of the stack holds, no
     * listener uses, and whose four-tuple this engine owns (so that the device steers the return
     * traffic here when it can; {@link EphemeralPorts}). The SYN goes out in the next loop;
     * {@link TcpConnection#EVENT_CONNECTED} (or {@code EVENT_CLOSED} with
     * {@link TcpConnection#error()}) follows through {@code handler}.
     *
     * @param handler receives the connection's events; null for the engine's default handler
     * @throws IllegalStateException when there is no route or no source address, or no port of
     *                               the ephemeral range is free and fits this engine ("ephemeral
     *                               ports exhausted")
     */
    public TcpConnection connect(InetAddress remote, int remotePort, ConnectionHandler handler) {
        return connect(remote, remotePort, 0, handler);
    }

    /**
     * {@link #connect(InetAddress, int, ConnectionHandler)} from a local port already reserved in
     * the group's {@link #ephemeralPorts()} for this engine (by the stack API on an application
     * thread, with {@link EphemeralPorts#reserve} for this engine's {@link #index()} and the
     * source address the route gives); 0 to pick one here. The engine takes the reservation over
     * and releases the port when the connection leaves its flow table; if this throws, the
     * reservation stays the caller's.
     *
     * @throws IllegalArgumentException when {@code reservedLocalPort} is not reserved, or its
     *                                  four-tuple belongs to another engine
     */
    public TcpConnection connect(InetAddress remote, int remotePort, int reservedLocalPort, ConnectionHandler handler) {
        if (remotePort < 1 || remotePort > 0xffff) {
            throw new IllegalArgumentException("remote port outside 1..65535: " + remotePort);
        }
        boolean ipv6;
        long remoteHigh;
        long remoteLow;
        if (remote instanceof Inet6Address) {
            Ipv6Address address = Ipv6Address.ofBytes(remote.getAddress());
            ipv6 = true;
            remoteHigh = address.high();
            remoteLow = address.low();
            if (!routes.routeIpv6(remoteHigh, remoteLow, nextHop) || !nextHop.hasSource()) {
                throw new IllegalStateException("no route to " + remote.getHostAddress());
            }
        } else if (remote instanceof Inet4Address) {
            ipv6 = false;
            remoteHigh = 0;
            remoteLow = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(remote.getAddress()).getInt());
            if (!routes.routeIpv4((int) remoteLow, nextHop) || !nextHop.hasSource()) {
                throw new IllegalStateException("no route to " + remote.getHostAddress());
            }
        } else {
            throw new IllegalArgumentException("not an IP address: " + remote);
        }
        long localHigh = ipv6 ? nextHop.sourceHigh() : 0;
        long localLow = ipv6 ? nextHop.sourceLow() : Integer.toUnsignedLong(nextHop.sourceIpv4());
        int localPort = reservedLocalPort == 0
                ? reserveEphemeralPort(ipv6, localHigh, localLow, remoteHigh, remoteLow, remotePort, remote)
                : checkReservedPort(ipv6, localHigh, localLow, reservedLocalPort, remoteHigh, remoteLow, remotePort);
        TcpEndpoints endpoints = new TcpEndpoints(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        int iss = ipv6
                ? initialSequenceNumbers.isn(endpoints.localHigh(), endpoints.localLow(), localPort,
                        endpoints.remoteHigh(), endpoints.remoteLow(), remotePort, nowNs)
                : initialSequenceNumbers.isn(endpoints.localIpv4(), localPort, endpoints.remoteIpv4(), remotePort, nowNs);
        TcpConnection connection = TcpConnection.connect(ipv6 ? ipv6TcpConfig : ipv4TcpConfig, endpoints, output, ringPool, iss, nowNs);
        connection.timestampOffset(initialSequenceNumbers.timestampOffset(
                endpoints.localHigh(), endpoints.localLow(), endpoints.remoteHigh(), endpoints.remoteLow()));
        Flow flow = new Flow(connection, true);
        flow.handler = handler;
        flows.put(endpoints, flow);
        counters.activeOpens++;
        markDirty(flow);
        return connection;
    }

    /** A port of the shared ephemeral range that steers to this engine (see {@link EphemeralPorts}). */
    private int reserveEphemeralPort(boolean ipv6, long localHigh, long localLow, long remoteHigh, long remoteLow,
                                     int remotePort, InetAddress remote) {
        int port = ephemeralPorts.reserve(index, ipv6, localHigh, localLow, remoteHigh, remoteLow, remotePort);
        if (port == EphemeralPorts.EXHAUSTED) {
            throw new IllegalStateException("ephemeral ports exhausted: no port from " + ephemeralPorts.first() + " to "
                    + ephemeralPorts.last() + " is free and steers " + remote.getHostAddress() + ":" + remotePort
                    + " to engine " + index + " of " + ownership.engines());
        }
        return port;
    }

    private int checkReservedPort(boolean ipv6, long localHigh, long localLow, int localPort,
                                  long remoteHigh, long remoteLow, int remotePort) {
        if (!ephemeralPorts.isReserved(localPort)) {
            throw new IllegalArgumentException("local port " + localPort + " is not reserved in " + ephemeralPorts);
        }
        int owner = ownership.ownerOf(ipv6, localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort);
        if (owner != index) {
            throw new IllegalArgumentException("local port " + localPort + " steers the connection to engine " + owner
                    + ", not to engine " + index);
        }
        return localPort;
    }

    /**
     * Listens on {@code port} on every address of one family (the wildcard), with SYN cookies
     * when the backlog is full. Accepted connections report {@link TcpConnection#EVENT_CONNECTED}
     * to the default handler; take them with {@link TcpListener#accept()}.
     *
     * @throws IllegalStateException if the port already has a listener in this family
     */
    public TcpListener listen(boolean ipv6, int port, int backlog) {
        return listen(ipv6, port, backlog, null);
    }

    /**
     * As {@link #listen(boolean, int, int)}, with the handler the listener's children report to
     * from their creation (null: the default handler).
     */
    public TcpListener listen(boolean ipv6, int port, int backlog, ConnectionHandler childHandler) {
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("port outside 1..65535: " + port);
        }
        if (listeners.getExact(ipv6, 0, 0, port) != null) {
            throw new IllegalStateException("port " + port + " already has an " + (ipv6 ? "IPv6" : "IPv4") + " listener");
        }
        TcpListener listener = new TcpListener(ipv6 ? ipv6TcpConfig : ipv4TcpConfig, port, backlog, output, ringPool,
                initialSequenceNumbers, synCookies, TcpListener.CookieMode.WHEN_FULL);
        listeners.putWildcard(ipv6, port, listener);
        if (childHandler != null) {
            childHandlers.put(listener, childHandler);
        }
        ephemeralPorts.listenerAdded(port); // not handed out for active opens while the listener lives
        return listener;
    }

    /** Stops a listener: new SYNs to its port are answered with RST. */
    public void unlisten(boolean ipv6, TcpListener listener) {
        listener.close();
        childHandlers.remove(listener);
        if (listeners.getExact(ipv6, 0, 0, listener.localPort()) == listener) {
            listeners.removeWildcard(ipv6, listener.localPort());
            ephemeralPorts.listenerRemoved(listener.localPort());
        }
    }

    /** The handler for connections without their own (accepted ones until {@link #handler} is set). */
    public void defaultHandler(ConnectionHandler handler) {
        this.defaultHandler = Objects.requireNonNull(handler, "handler");
    }

    /** Sets the handler of one connection of this engine. */
    public void handler(TcpConnection connection, ConnectionHandler handler) {
        flowOf(connection).handler = handler;
    }

    /** Queues bytes on the connection's send ring; they go out from the next loop. Returns how many fit. */
    public int write(TcpConnection connection, byte[] source, int offset, int length) {
        int written = connection.write(source, offset, length);
        touch(connection);
        return written;
    }

    /** Reads received bytes; a window update goes out from the next loop when reading opened the window. */
    public int read(TcpConnection connection, byte[] destination, int offset, int length) {
        int read = connection.read(destination, offset, length);
        touch(connection);
        return read;
    }

    /** Half-close: a FIN follows the queued data. */
    public void shutdownOutput(TcpConnection connection) {
        connection.shutdownOutput();
        touch(connection);
    }

    /** Closes the connection (RFC 9293 CLOSE; an abort when received data is unread). */
    public void close(TcpConnection connection) {
        connection.close(nowNs);
        touch(connection);
    }

    /** Aborts the connection with RST. */
    public void abort(TcpConnection connection) {
        connection.abort(nowNs);
        touch(connection);
    }

    /**
     * Tells the engine that the application changed {@code connection} (wrote, read, closed) on
     * the engine thread, so that its output goes out in the next loop. The methods above call it.
     */
    public void touch(TcpConnection connection) {
        Flow flow = flows.get(connection.endpoints());
        if (flow != null && flow.connection == connection) {
            markDirty(flow);
        }
    }

    private Flow flowOf(TcpConnection connection) {
        Flow flow = flows.get(connection.endpoints());
        if (flow == null || flow.connection != connection) {
            throw new IllegalArgumentException("not a connection of this engine: " + connection.endpoints());
        }
        return flow;
    }

    private void markDirty(Flow flow) {
        if (flow.dirty) {
            return;
        }
        flow.dirty = true;
        if (dirtyCount == dirty.length) {
            dirty = Arrays.copyOf(dirty, 2 * dirty.length); // only past expectedFlows touched in one loop
        }
        dirty[dirtyCount++] = flow;
    }

    // ----------------------------------------------------------------------------- inspection

    public EngineConfig config() {
        return config;
    }

    /** The time of the current (or last) loop: application calls between loops act at this time. Engine thread. */
    public long nowNs() {
        return nowNs;
    }

    public NetDevice device() {
        return device;
    }

    public int queue() {
        return queue;
    }

    /** This engine's number in its {@link EngineGroup}; 0 for an engine alone. */
    public int index() {
        return index;
    }

    /** Which engine owns which flow: this engine alone, or its group's rule. */
    public FlowOwnership ownership() {
        return ownership;
    }

    /** The ephemeral ports of active opens: this engine's own, or shared by its group. */
    public EphemeralPorts ephemeralPorts() {
        return ephemeralPorts;
    }

    /** The engine's counters; any thread may read them (see {@link EngineCounters}). */
    public EngineCounters counters() {
        return counters;
    }

    /** The pool of this engine's connection rings; its counters may be read from any thread. */
    public RingPool ringPool() {
        return ringPool;
    }

    /**
     * Drops counted by the IP control plane for {@code reason}: the interface's {@link IpControl}
     * and both neighbour caches together.
     */
    public long ipDrops(IpDrop reason) {
        return ipControl.drops().count(reason) + arpCache.drops().count(reason) + neighborCache.drops().count(reason);
    }

    /** Connections in the flow table, TIME_WAIT ones included. */
    public int flowCount() {
        return flows.size();
    }

    /** The routing table built from the addresses (read-only use). */
    public RoutingTable routes() {
        return routes;
    }

    /** The ARP cache: for inspection by tests and diagnostics. */
    public NeighborCache arpCache() {
        return arpCache;
    }

    /** The IPv6 neighbour cache: for inspection by tests and diagnostics. */
    public NeighborCache neighborCache() {
        return neighborCache;
    }
}
