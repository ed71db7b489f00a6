package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.device.ReceiveSteering;
import io.mtcp4j.stack.device.ToeplitzHash;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpError;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.tcp.TcpState;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.Icmpv4Flyweight;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two engine groups over a linked pair of four-queue loop devices, stepped engine by engine in
 * one thread with an injected clock: a thousand and more connections each way with every byte
 * checked, over IPv4 and IPv6; flows spread over the engines and owned by the engine that opened
 * them (no hand-off needed when the device steers); the same through devices that hide their
 * steering (everything goes through hand-offs); fewer engines than queues on one side; ICMP
 * errors handed to their flow's owner; the ephemeral range running out; ports given back when
 * flows leave, TIME_WAIT included.
 */
class EngineGroupTest {
    private static final long STEP_NS = 20_000; // 20 us of simulated time per loop of every engine
    private static final int A_IP = Ipv4Address.parse("10.0.0.1");
    private static final int B_IP = Ipv4Address.parse("10.0.0.2");
    private static final Ipv6Address A_IP6 = Ipv6Address.parse("fd00::1");
    private static final Ipv6Address B_IP6 = Ipv6Address.parse("fd00::2");
    private static final int A_PORT = 7000;
    private static final int B_PORT = 5000;
    private static final int MAX_DATA_BYTES = 6000;
    private static final int OPEN_AT_ONCE = 200;
    private static final TcpConfig TCP = TcpConfig.defaults().with(b -> b.sendBufferBytes(8 * 1024)
            .receiveBufferBytes(8 * 1024).timeWaitNs(1_000_000_000L));

    private long nowNs = 1_000_000_000L;
    private LoopDevice.Pair pair;
    private Stack a;
    private Stack b;

    @AfterEach
    void closeDevices() {
        if (pair != null) {
            pair.close();
        }
    }

    /** One stack: an engine group, its listeners, and the application's side of every connection. */
    private final class Stack {
        final String name;
        final EngineGroup group;
        final int ip;
        final Ipv6Address ip6;
        final int listenPort;
        Stack peer;
        List<TcpListener> ipv4Listeners;
        List<TcpListener> ipv6Listeners;
        final Map<TcpConnection, Side> sides = new IdentityHashMap<>();
        final List<Side> opened = new ArrayList<>();
        final List<Side> accepted = new ArrayList<>();
        int toOpen;
        int openAtOnce = OPEN_AT_ONCE;

        Stack(String name, NetDevice device, int engines, int ip, Ipv6Address ip6, int listenPort, int handoffFrames) {
            this(name, device, engines, ip, ip6, listenPort, handoffFrames,
                    EngineConfig.DEFAULT_FIRST_EPHEMERAL_PORT, EngineConfig.DEFAULT_LAST_EPHEMERAL_PORT);
        }

        Stack(String name, NetDevice device, int engines, int ip, Ipv6Address ip6, int listenPort, int handoffFrames,
              int firstPort, int lastPort) {
            this(name, device, engines, ip, ip6, listenPort, handoffFrames, firstPort, lastPort, null);
        }

        /** @param ownership null for the group's own choice (the device's steering, or a random software key) */
        Stack(String name, NetDevice device, int engines, int ip, Ipv6Address ip6, int listenPort, int handoffFrames,
              int firstPort, int lastPort, FlowOwnership ownership) {
            this.name = name;
            this.ip = ip;
            this.ip6 = ip6;
            this.listenPort = listenPort;
            EngineConfig config = EngineConfig.of(StackAddresses.of(device.macAddress(), ip, 24, ip6, 64))
                    .withTcp(TCP).withEngines(engines).withEphemeralPorts(firstPort, lastPort);
            group = new EngineGroup(config, device, nowNs, handoffFrames, ownership);
            for (int i = 0; i < engines; i++) {
                int engineIndex = i;
                group.engine(i).defaultHandler((connection, events) -> {
                    if ((events & TcpConnection.EVENT_CONNECTED) != 0) {
                        acceptAll(engineIndex);
                    }
                    Side side = sides.get(connection);
                    if (side != null) {
                        side.onEvents(connection, events);
                    }
                });
            }
        }

        void listen() {
            ipv4Listeners = group.listen(false, listenPort, 1024);
            ipv6Listeners = group.listen(true, listenPort, 1024);
        }

        private void acceptAll(int engineIndex) {
            Engine engine = group.engine(engineIndex);
            for (TcpListener listener : List.of(ipv4Listeners.get(engineIndex), ipv6Listeners.get(engineIndex))) {
                TcpConnection child;
                while ((child = listener.accept()) != null) {
                    int clientPort = child.endpoints().remotePort();
                    Side side = new Side(engine, engineIndex, false, child,
                            data(peer.name, clientPort, false), data(peer.name, clientPort, true));
                    sides.put(child, side);
                    accepted.add(side);
                    engine.handler(child, side);
                    side.pump();
                }
            }
        }

        /** Opens connections to the peer, round robin over the engines and alternating families, up to {@link #openAtOnce} unfinished. */
        void openMore() {
            long unfinished = opened.stream().filter(side -> !side.finished()).count();
            while (toOpen > 0 && unfinished < openAtOnce) {
                int k = opened.size();
                open(k % group.size(), (k / group.size()) % 2 == 1);
                toOpen--;
                unfinished++;
            }
        }

        /** Opens one connection to the peer from engine {@code engineIndex}. */
        Side open(int engineIndex, boolean ipv6) {
            Engine engine = group.engine(engineIndex);
            Side side = new Side(engine, engineIndex, true, null, null, null);
            TcpConnection connection = engine.connect(ipv6 ? address(peer.ip6) : address(peer.ip), peer.listenPort, side);
            int port = connection.endpoints().localPort();
            side.bind(connection, data(name, port, true), data(name, port, false));
            sides.put(connection, side);
            opened.add(side);
            return side;
        }

        boolean allFinished() {
            return toOpen == 0 && opened.stream().allMatch(Side::finished) && accepted.stream().allMatch(Side::finished);
        }

        long sum(java.util.function.ToLongFunction<EngineCounters> counter) {
            long total = 0;
            for (Engine engine : group.engines()) {
                total += counter.applyAsLong(engine.counters());
            }
            return total;
        }

        String counters() {
            StringBuilder text = new StringBuilder(name);
            for (Engine engine : group.engines()) {
                text.append("\n  engine ").append(engine.index()).append(": ").append(engine.counters())
                        .append(" handed-off=").append(engine.counters().framesHandedOff())
                        .append(" taken-over=").append(engine.counters().framesTakenOver())
                        .append(" flows=").append(engine.flowCount());
            }
            return text.toString();
        }
    }

    /** The bytes one end of a connection sends: a function of who opened it, its client port and the direction. */
    private static byte[] data(String initiator, int clientPort, boolean fromInitiator) {
        Random random = new Random(initiator.hashCode() * 1_000_003L + clientPort * 2L + (fromInitiator ? 1 : 0));
        byte[] bytes = new byte[1 + random.nextInt(MAX_DATA_BYTES)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** One end: writes its bytes (they fit the send ring), reads the peer's, and closes (the opener first). */
    private static final class Side implements ConnectionHandler {
        final Engine engine;
        final int engineIndex;
        final boolean active;
        TcpConnection connection;
        byte[] toSend;
        byte[] expected;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final byte[] buffer = new byte[16 * 1024];
        int sent;
        boolean endOfStream;
        boolean closed;

        Side(Engine engine, int engineIndex, boolean active, TcpConnection connection, byte[] toSend, byte[] expected) {
            this.engine = engine;
            this.engineIndex = engineIndex;
            this.active = active;
            bind(connection, toSend, expected);
        }

        void bind(TcpConnection newConnection, byte[] newToSend, byte[] newExpected) {
            connection = newConnection;
            toSend = newToSend;
            expected = newExpected;
        }

        @Override
        public void onEvents(TcpConnection c, int events) {
            pump();
        }

        void pump() {
            TcpState state = connection.state();
            if (sent < toSend.length && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)) {
                sent += engine.write(connection, toSend, sent, toSend.length - sent);
            }
            int read;
            while ((read = engine.read(connection, buffer, 0, buffer.length)) > 0) {
                received.write(buffer, 0, read);
            }
            if (read < 0) {
                endOfStream = true;
            }
            if (!closed && sent == toSend.length && received.size() == expected.length && (active || endOfStream)) {
                engine.close(connection);
                closed = true;
            }
        }

        boolean finished() {
            TcpState state = connection.state();
            return closed && (state == TcpState.CLOSED || state == TcpState.TIME_WAIT);
        }
    }

    private void start(int enginesA, int enginesB, boolean hideSteering, int handoffFrames) {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("group").withQueues(4).withQueueDepth(4096));
        NetDevice deviceA = hideSteering ? new HiddenSteeringDevice(pair.a()) : pair.a();
        NetDevice deviceB = hideSteering ? new HiddenSteeringDevice(pair.b()) : pair.b();
        // Without device steering, software keys from a seed keep the run the same every time.
        Random keys = new Random(7);
        a = new Stack("a", deviceA, enginesA, A_IP, A_IP6, A_PORT, handoffFrames, EngineConfig.DEFAULT_FIRST_EPHEMERAL_PORT,
                EngineConfig.DEFAULT_LAST_EPHEMERAL_PORT, hideSteering ? softwareOwnership(enginesA, keys) : null);
        b = new Stack("b", deviceB, enginesB, B_IP, B_IP6, B_PORT, handoffFrames, EngineConfig.DEFAULT_FIRST_EPHEMERAL_PORT,
                EngineConfig.DEFAULT_LAST_EPHEMERAL_PORT, hideSteering ? softwareOwnership(enginesB, keys) : null);
        a.peer = b;
        b.peer = a;
        a.listen();
        b.listen();
    }

    private static FlowOwnership softwareOwnership(int engines, Random keys) {
        byte[] key = new byte[ToeplitzHash.KEY_BYTES];
        keys.nextBytes(key);
        return FlowOwnership.of(ReceiveSteering.UNKNOWN, engines, key);
    }

    /**
     * One loop of every engine of both stacks. When none had anything to do, nothing is in
     * flight (a frame sent in a loop is received in the same or the next), so the clock jumps
     * to the earliest deadline: retransmission and TIME_WAIT timers pass without idle loops.
     */
    private void step() {
        nowNs += STEP_NS;
        int work = a.group.doWork(nowNs) + b.group.doWork(nowNs);
        if (work == 0) {
            long next = Math.min(a.group.nextDeadlineNs(), b.group.nextDeadlineNs());
            if (next != Long.MAX_VALUE && next > nowNs) {
                nowNs = next - STEP_NS;
            }
        }
    }

    private void runUntil(BooleanSupplier done, int maxSteps, String what) {
        for (int i = 0; i < maxSteps; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            step();
        }
        StringBuilder unfinished = new StringBuilder();
        for (Stack stack : List.of(a, b)) {
            stack.sides.values().stream().filter(side -> side.connection != null && !side.finished()).limit(10)
                    .forEach(side -> unfinished.append("\n  ").append(stack.name).append(side.active ? " opened " : " accepted ")
                            .append(side.connection.endpoints()).append(' ').append(side.connection.state())
                            .append(' ').append(side.connection.error()).append(" sent=").append(side.sent)
                            .append('/').append(side.toSend.length).append(" received=").append(side.received.size())
                            .append('/').append(side.expected.length));
        }
        throw new AssertionError("not done after " + maxSteps + " steps: " + what + "\n" + a.counters() + "\n" + b.counters()
                + "\nunfinished:" + unfinished);
    }

    private static InetAddress address(int ipv4) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress address(Ipv6Address ip6) {
        try {
            return InetAddress.getByAddress(ip6.toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Opens {@code perSide} connections from each stack to the other and runs until every one finished. */
    private void transferEachWay(int perSide, int maxSteps) {
        a.toOpen = perSide;
        b.toOpen = perSide;
        runUntil(() -> {
            a.openMore();
            b.openMore();
            return a.allFinished() && b.allFinished();
        }, maxSteps, "transfers");
        for (Stack stack : List.of(a, b)) {
            assertEquals(perSide, stack.opened.size());
            assertEquals(perSide, stack.peer.accepted.size(), "the peer accepted every connection " + stack.name + " opened");
            for (Side side : stack.sides.values()) {
                assertEquals(TcpError.NONE, side.connection.error(), side.connection.endpoints().toString());
                assertArrayEquals(side.expected, side.received.toByteArray(),
                        stack.name + " " + side.connection.endpoints() + ": every byte, in order");
            }
        }
    }

    /** Every active open of a stack lives on the engine that opened it, which owns its four-tuple. */
    private static void assertActiveOpensOwnedByTheirEngine(Stack stack) {
        int[] perEngine = new int[stack.group.size()];
        for (Side side : stack.opened) {
            assertEquals(side.engineIndex, stack.group.ownership().ownerOf(side.connection.endpoints()),
                    stack.name + " " + side.connection.endpoints());
            perEngine[side.engineIndex]++;
        }
        for (int i = 0; i < perEngine.length; i++) {
            assertEquals(perEngine[i], stack.group.engine(i).counters().activeOpens(), stack.name + " engine " + i);
        }
    }

    /** Passive opens spread over every engine. */
    private static void assertPassiveOpensSpread(Stack stack) {
        int total = stack.accepted.size();
        for (Engine engine : stack.group.engines()) {
            long passive = engine.counters().passiveOpens();
            assertTrue(passive > total / stack.group.size() / 3, stack.name + " engine " + engine.index()
                    + " accepted " + passive + " of " + total);
        }
    }

    /** After TIME_WAIT every flow left its table and gave its port back. */
    private void assertEveryFlowAndPortGoesAway() {
        assertTrue(a.group.ephemeralPorts().reservedCount() > 0, "TIME_WAIT still holds the openers' ports");
        runUntil(() -> a.group.flowCount() == 0 && b.group.flowCount() == 0, 500_000, "TIME_WAIT expiry");
        assertEquals(0, a.group.ephemeralPorts().reservedCount(), a.group.ephemeralPorts().toString());
        assertEquals(0, b.group.ephemeralPorts().reservedCount(), b.group.ephemeralPorts().toString());
        for (Stack stack : List.of(a, b)) {
            long opens = stack.sum(EngineCounters::activeOpens) + stack.sum(EngineCounters::passiveOpens);
            assertEquals(opens, stack.sum(EngineCounters::connectionsClosed), stack.name);
        }
    }

    @Test
    void fourEnginesEachSideCarryThousandsOfConnectionsWithoutHandOffs() {
        start(4, 4, false, EngineGroup.DEFAULT_HANDOFF_FRAMES);
        assertTrue(a.group.ownership().steeredByDevice());
        transferEachWay(1000, 400_000);

        for (Stack stack : List.of(a, b)) {
            assertActiveOpensOwnedByTheirEngine(stack);
            assertPassiveOpensSpread(stack);
            for (Engine engine : stack.group.engines()) {
                assertEquals(0, engine.counters().framesHandedOff(), "the device steers every flow to its owner: " + stack.counters());
                assertEquals(0, engine.counters().framesTakenOver());
                assertEquals(0, engine.counters().totalDrops(), stack.counters());
            }
            // Same queue count and the symmetric key: a flow lands on the same queue number at both ends.
            for (Side side : stack.peer.accepted) {
                int clientPort = side.connection.endpoints().remotePort();
                Side opener = stack.opened.stream().filter(s -> s.connection.endpoints().localPort() == clientPort)
                        .findFirst().orElseThrow();
                assertEquals(opener.engineIndex, side.engineIndex, "accepted on the opener's queue number");
            }
        }
        assertEquals(0, pair.a().counters().totalDrops() + pair.b().counters().totalDrops(), "no device drops");
        // Neighbour resolution: each engine resolved the peer, with answers shared by copies.
        for (Engine engine : a.group.engines()) {
            assertEquals(pair.b().macAddress(), engine.arpCache().cachedMac(0, Integer.toUnsignedLong(B_IP)));
            assertEquals(pair.b().macAddress(), engine.neighborCache().cachedMac(B_IP6.high(), B_IP6.low()));
        }
        assertTrue(a.sum(EngineCounters::neighborCopiesSent) > 0);
        assertEveryFlowAndPortGoesAway();
    }

    @Test
    void withoutDeviceSteeringEveryFlowStillWorksThroughHandOffs() {
        start(4, 4, true, EngineGroup.DEFAULT_HANDOFF_FRAMES);
        assertFalse(a.group.ownership().steeredByDevice());
        transferEachWay(1000, 400_000);

        for (Stack stack : List.of(a, b)) {
            assertActiveOpensOwnedByTheirEngine(stack);
            assertPassiveOpensSpread(stack);
            long handedOff = stack.sum(EngineCounters::framesHandedOff);
            assertTrue(handedOff > 1000, stack.name + " handed off " + handedOff + " frames");
            assertEquals(handedOff, stack.sum(EngineCounters::framesTakenOver), "every handed-off frame was taken over");
            assertEquals(0, stack.sum(c -> c.drops(EngineDrop.HANDOFF_QUEUE_FULL)), stack.counters());
            for (Engine engine : stack.group.engines()) {
                assertTrue(engine.counters().framesHandedOff() > 0, stack.counters());
                assertTrue(engine.counters().framesTakenOver() > 0, stack.counters());
            }
        }
        assertEveryFlowAndPortGoesAway();
    }

    @Test
    void twoEnginesOnAFourQueueDeviceReadTwoQueuesEach() {
        start(2, 4, false, EngineGroup.DEFAULT_HANDOFF_FRAMES);
        transferEachWay(1000, 600_000);

        assertActiveOpensOwnedByTheirEngine(a);
        assertActiveOpensOwnedByTheirEngine(b);
        assertPassiveOpensSpread(a);
        assertPassiveOpensSpread(b);
        for (Stack stack : List.of(a, b)) {
            assertEquals(0, stack.sum(EngineCounters::framesHandedOff), stack.counters());
        }
        // Engine i of a reads queues i and i + 2: a flow b's engine q accepted lands on a's engine q % 2.
        for (Side side : b.accepted) {
            int clientPort = side.connection.endpoints().remotePort();
            Side opener = a.opened.stream().filter(s -> s.connection.endpoints().localPort() == clientPort).findFirst().orElseThrow();
            assertEquals(opener.engineIndex, side.engineIndex % 2);
        }
        for (int queue = 0; queue < 4; queue++) {
            assertTrue(pair.a().counters().receivedFrames(queue) > 0, "queue " + queue + " of the two-engine side was read");
        }
        assertEveryFlowAndPortGoesAway();
    }

    // An ICMP error lands on the queue of its address pair (RSS hashes ICMP by addresses only);
    // the engine there hands it to the owner of the flow it quotes, where it lowers the MSS.
    @Test
    void anIcmpErrorGoesToTheEngineThatOwnsTheQuotedFlow() {
        start(4, 4, false, EngineGroup.DEFAULT_HANDOFF_FRAMES);
        List<TcpConnection> connections = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            connections.add(a.group.engine(i).connect(address(B_IP), B_PORT, null));
        }
        runUntil(() -> connections.stream().allMatch(c -> c.state() == TcpState.ESTABLISHED), 20_000, "handshakes");
        for (int i = 0; i < 4; i++) {
            assertEquals(8_000, a.group.engine(i).write(connections.get(i), new byte[8_000], 0, 8_000));
        }
        nowNs += STEP_NS;
        a.group.doWork(nowNs); // the data leaves; b does not run, so it stays unacknowledged
        int receivingQueue = -1;
        for (TcpConnection connection : connections) {
            assertTrue(connection.info().bytesInFlight() > 0);
            receivingQueue = sendFragmentationNeeded(connection, 1_000);
        }
        for (int loop = 0; loop < 3; loop++) {
            nowNs += STEP_NS;
            a.group.doWork(nowNs);
        }
        for (int i = 0; i < 4; i++) {
            Engine engine = a.group.engine(i);
            assertEquals(1, engine.counters().pathMtuUpdates(), "engine " + i + " owns one quoted flow");
            assertEquals(1_000 - 40 - 12, connections.get(i).info().sendMssBytes());
            assertEquals(i == receivingQueue ? 3 : 0, engine.counters().framesHandedOff(), "engine " + i);
            assertEquals(i == receivingQueue ? 0 : 1, engine.counters().framesTakenOver(), "engine " + i);
        }
    }

    /**
     * From b's side of the link: ICMP "fragmentation needed" quoting a's segment at SND.UNA of
     * {@code connection}. Returns the queue of a's device it arrives on.
     */
    private int sendFragmentationNeeded(TcpConnection connection, int nextHopMtu) {
        FrameBatch batch = new FrameBatch(1);
        assertEquals(1, pair.b().lend(0, batch, 1));
        MemorySegment frame = batch.segment(0);
        long offset = batch.offset(0);
        int quotedBytes = 20 + 8;
        int icmpBytes = 8 + quotedBytes;
        new EthernetFlyweight().wrapForWrite(frame, offset).destination(pair.a().macAddress())
                .source(pair.b().macAddress()).etherType(EthernetFlyweight.ETHERTYPE_IPV4);
        new Ipv4Flyweight().wrapForWrite(frame, offset + 14).version(4).headerLength(20).typeOfService(0)
                .totalLength(20 + icmpBytes).identification(2).flags(0).fragmentOffsetBytes(0)
                .ttl(64).protocol(Ipv4Flyweight.PROTOCOL_ICMP).source(B_IP).destination(A_IP).fillChecksum();
        long quoted = offset + 34 + 8;
        new Ipv4Flyweight().wrapForWrite(frame, quoted).version(4).headerLength(20).typeOfService(0)
                .totalLength(1_500).identification(3).flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT).fragmentOffsetBytes(0)
                .ttl(63).protocol(Ipv4Flyweight.PROTOCOL_TCP).source(A_IP).destination(B_IP).fillChecksum();
        NetworkOrder.u16(frame, quoted + 20, connection.endpoints().localPort());
        NetworkOrder.u16(frame, quoted + 22, B_PORT);
        NetworkOrder.u32(frame, quoted + 24, connection.sendUnacknowledged());
        new Icmpv4Flyweight().wrapForWrite(frame, offset + 34, icmpBytes).type(Icmpv4Flyweight.TYPE_DESTINATION_UNREACHABLE)
                .code(Icmpv4Flyweight.CODE_FRAGMENTATION_NEEDED).restOfHeader(nextHopMtu).fillChecksum();
        int length = 14 + 20 + icmpBytes;
        batch.length(0, length);
        int queue = pair.a().steering().queueOfFrame(frame, offset, length);
        assertEquals(1, pair.b().transmit(0, batch));
        return queue;
    }

    @Test
    void tooFewHandOffSlotsDropFramesCountedAndTcpRecovers() {
        start(4, 4, true, 4);
        a.openAtOnce = 16;
        b.openAtOnce = 16;
        transferEachWay(100, 2_000_000);
        long dropped = a.sum(c -> c.drops(EngineDrop.HANDOFF_QUEUE_FULL)) + b.sum(c -> c.drops(EngineDrop.HANDOFF_QUEUE_FULL));
        assertTrue(dropped > 0, "two slots per engine overflow: " + a.counters() + "\n" + b.counters());
    }

    @Test
    void aGroupNeedsAQueuePerEngine() {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("loop").withQueues(4));
        EngineConfig config = EngineConfig.of(StackAddresses.of(pair.a().macAddress(), A_IP, 24, A_IP6, 64)).withEngines(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EngineGroup(config, pair.a(), nowNs));
        assertTrue(e.getMessage().startsWith("engines=5 but device loop-a has 4 queues"), e.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> config.withEngines(0));
        assertTrue(zero.getMessage().contains("engines=0"), zero.getMessage());
    }

    // The range 40000-40011 holds only the ports that steer to engine 0 for this remote end; past
    // them, connect fails with the clear signal; after the flows' TIME_WAIT the ports are free again.
    @Test
    void aTinyEphemeralRangeRunsOutAndComesBackAfterTimeWait() {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("group").withQueues(4));
        a = new Stack("a", pair.a(), 4, A_IP, A_IP6, A_PORT, 16, 40_000, 40_011);
        b = new Stack("b", pair.b(), 4, B_IP, B_IP6, B_PORT, 16);
        a.peer = b;
        b.peer = a;
        a.listen();
        b.listen();
        int fitting = 0;
        for (int port = 40_000; port <= 40_011; port++) {
            fitting += a.group.ownership().ownerOfIpv4(A_IP, port, B_IP, B_PORT) == 0 ? 1 : 0;
        }
        assertTrue(fitting > 0 && fitting < 12, "some ports of the range steer to engine 0: " + fitting);
        for (int i = 0; i < fitting; i++) {
            a.open(0, false);
        }
        Engine engine = a.group.engine(0);
        IllegalStateException exhausted = assertThrows(IllegalStateException.class,
                () -> engine.connect(address(B_IP), B_PORT, null));
        assertTrue(exhausted.getMessage().startsWith("ephemeral ports exhausted"), exhausted.getMessage());
        // Other engines have ports of their own in the range.
        TcpConnection fromEngine1 = a.group.engine(1).connect(address(B_IP), B_PORT, null);
        assertEquals(1, a.group.ownership().ownerOf(fromEngine1.endpoints()));
        a.group.engine(1).abort(fromEngine1);

        runUntil(() -> a.opened.stream().allMatch(Side::finished) && b.accepted.stream().allMatch(Side::finished), 100_000,
                "transfers");
        assertTrue(a.opened.stream().allMatch(side -> side.connection.state() == TcpState.TIME_WAIT));
        assertEquals(fitting, a.group.ephemeralPorts().reservedCount(), "TIME_WAIT holds the ports");
        assertThrows(IllegalStateException.class, () -> engine.connect(address(B_IP), B_PORT, null));
        runUntil(() -> engine.flowCount() == 0, 200_000, "TIME_WAIT expiry");
        assertEquals(0, a.group.ephemeralPorts().reservedCount());
        TcpConnection again = engine.connect(address(B_IP), B_PORT, null);
        assertTrue(again.endpoints().localPort() >= 40_000 && again.endpoints().localPort() <= 40_011);
    }

    // A listener's port is never an ephemeral port, on any engine, while the listener lives.
    @Test
    void aListenersPortIsNotHandedOutToActiveOpens() {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("group").withQueues(4));
        a = new Stack("a", pair.a(), 4, A_IP, A_IP6, 40_000, 16, 40_000, 40_011);
        b = new Stack("b", pair.b(), 4, B_IP, B_IP6, B_PORT, 16);
        a.peer = b;
        b.peer = a;
        a.listen(); // a listens on 40000, inside its own ephemeral range
        b.listen();
        for (int engine = 0; engine < 4; engine++) {
            int port;
            while ((port = a.group.ephemeralPorts().reserveIpv4(engine, A_IP, B_IP, B_PORT)) != EphemeralPorts.EXHAUSTED) {
                assertTrue(port != 40_000, "the listener's port was handed out");
            }
        }
        assertEquals(11, a.group.ephemeralPorts().reservedCount());
        a.group.unlisten(false, a.ipv4Listeners);
        assertFalse(a.group.ephemeralPorts().tryReserve(40_000), "the IPv6 listeners still use it");
        a.group.unlisten(true, a.ipv6Listeners);
        assertTrue(a.group.ephemeralPorts().tryReserve(40_000));
    }
}
