package io.mtcp4j.stack.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.RingPool;
import io.mtcp4j.stack.tcp.TcpError;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stack API between two stacks over a linked pair of loop devices, stepped in the test
 * thread with an injected clock ({@code threads(false)}): connect, accept, data both ways,
 * scatter/gather, half-close, close and abort, the exceptions that name each failure, options,
 * and readiness with at most one wakeup per subscriber per engine loop.
 */
class StackApiTest {
    private static final long STEP_NS = 50_000;
    private static final int CLIENT_IP = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER_IP = Ipv4Address.parse("10.0.0.2");
    private static final Ipv6Address CLIENT_IP6 = Ipv6Address.parse("fd00::1");
    private static final Ipv6Address SERVER_IP6 = Ipv6Address.parse("fd00::2");

    private long nowNs = 1_000_000_000L;
    private LoopDevice.Pair pair;
    private Stack client;
    private Stack server;

    @BeforeEach
    void start() {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("api"));
        TcpConfig tcp = TcpConfig.defaults().with(b -> b.sendBufferBytes(64 * 1024).receiveBufferBytes(64 * 1024)
                .timeWaitNs(1_000_000_000L));
        client = Stack.builder().device(pair.a()).threads(false).clock(() -> nowNs).config(
                EngineConfig.of(StackAddresses.of(pair.a().macAddress(), CLIENT_IP, 24, CLIENT_IP6, 64)).withTcp(tcp)).start();
        server = Stack.builder().device(pair.b()).threads(false).clock(() -> nowNs).config(
                EngineConfig.of(StackAddresses.of(pair.b().macAddress(), SERVER_IP, 24, SERVER_IP6, 64)).withTcp(tcp)).start();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        pair.close();
    }

    private void step() {
        nowNs += STEP_NS;
        client.runOnce(nowNs);
        server.runOnce(nowNs);
    }

    private void runUntil(BooleanSupplier done, String what) {
        for (int i = 0; i < 200_000; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            step();
        }
        throw new AssertionError("not done: " + what + "\nclient " + client.counters(0) + "\nserver " + server.counters(0));
    }

    /** Advances the clock to the next deadline of either stack while nothing else is due, up to {@code untilNs}. */
    private void runFor(long durationNs) {
        long endNs = nowNs + durationNs;
        for (int i = 0; nowNs < endNs; i++) {
            if (i > 1_000_000) {
                throw new AssertionError("runFor stuck at " + nowNs + " deadlines " + client.nextDeadlineNs() + " "
                        + server.nextDeadlineNs() + "\nclient " + client.counters(0) + "\nserver " + server.counters(0));
            }
            step();
            long next = Math.min(client.nextDeadlineNs(), server.nextDeadlineNs());
            if (next > nowNs + STEP_NS) {
                nowNs = Math.max(nowNs, Math.min(next, endNs) - STEP_NS);
            }
        }
    }

    private static InetAddress address(boolean ipv6, int ipv4, Ipv6Address ip6) {
        try {
            return ipv6 ? InetAddress.getByAddress(ip6.toBytes())
                    : InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetSocketAddress serverAddress(boolean ipv6, int port) {
        return new InetSocketAddress(address(ipv6, SERVER_IP, SERVER_IP6), port);
    }

    private StackServerSocket listen(int port) throws IOException {
        StackServerSocket listener = server.openServerSocket().bind(new InetSocketAddress(port), 16);
        step(); // a stepped stack installs its listeners in its next loop
        return listener;
    }

    /** A connected client socket and the server's accepted one. */
    private record Connection(StackSocket client, StackSocket server) { }

    private Connection connect(StackServerSocket listener, boolean ipv6) throws IOException {
        StackSocket socket = client.openSocket();
        assertFalse(socket.connect(serverAddress(ipv6, listener.localAddress().getPort())));
        assertTrue(socket.isConnectionPending());
        runUntil(() -> (socket.readyOps() & Readiness.CONNECT) != 0, "connect");
        assertTrue(socket.finishConnect());
        StackSocket[] accepted = new StackSocket[1];
        runUntil(() -> {
            try {
                return (accepted[0] = listener.accept()) != null;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "accept");
        return new Connection(socket, accepted[0]);
    }

    private byte[] readExactly(StackSocket socket, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        runUntil(() -> {
            try {
                int n = socket.read(buffer);
                assertTrue(n >= 0, "end of stream before " + length + " bytes");
                return !buffer.hasRemaining();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "read " + length + " bytes");
        return buffer.array();
    }

    private void writeAll(StackSocket socket, byte[] data) {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        runUntil(() -> {
            try {
                socket.write(buffer);
                return !buffer.hasRemaining();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "write " + data.length + " bytes");
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void connectAcceptAndExchangeBothWays(boolean ipv6) throws IOException {
        StackServerSocket listener = listen(8080);
        Connection c = connect(listener, ipv6);
        assertEquals(serverAddress(ipv6, 8080), c.client().remoteAddress());
        assertEquals(c.client().localAddress(), c.server().remoteAddress());
        assertEquals(c.client().remoteAddress(), c.server().localAddress());
        int port = c.client().localAddress().getPort();
        assertTrue(port >= EngineConfig.DEFAULT_FIRST_EPHEMERAL_PORT && port <= EngineConfig.DEFAULT_LAST_EPHEMERAL_PORT, "port " + port);

        Random random = new Random(7);
        byte[] request = new byte[300_000]; // several rings' worth: writes wait for the ring to drain
        byte[] response = new byte[200_000];
        random.nextBytes(request);
        random.nextBytes(response);
        ByteBuffer toServer = ByteBuffer.wrap(request);
        ByteBuffer toClient = ByteBuffer.wrap(response);
        ByteBuffer atServer = ByteBuffer.allocate(request.length);
        ByteBuffer atClient = ByteBuffer.allocate(response.length);
        runUntil(() -> {
            try {
                c.client().write(toServer);
                c.server().write(toClient);
                c.server().read(atServer);
                c.client().read(atClient);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return !atServer.hasRemaining() && !atClient.hasRemaining();
        }, "both directions");
        assertArrayEquals(request, atServer.array());
        assertArrayEquals(response, atClient.array());

        c.client().close();
        runUntil(() -> {
            try {
                return c.server().read(ByteBuffer.allocate(1)) == -1;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "server sees end of stream");
        c.server().close();
        runFor(2_000_000_000L); // past TIME_WAIT
        assertEquals(0, client.engine(0).flowCount());
        assertEquals(0, server.engine(0).flowCount());
        assertEquals(1, server.counters(0).passiveOpens());
        assertEquals(1, client.counters(0).activeOpens());
        assertTrue(client.counters(0).segmentsReceived() > 100, "the stack carried the traffic");
    }

    @Test
    void scatteringAndGatheringMoveBuffersInOrder() throws IOException {
        Connection c = connect(listen(7000), false);
        ByteBuffer[] parts = {ByteBuffer.wrap("alpha-".getBytes()), ByteBuffer.allocate(0), ByteBuffer.wrap("beta-".getBytes()),
                ByteBuffer.wrap("gamma".getBytes())};
        assertEquals(16, c.client().write(parts, 0, parts.length));
        ByteBuffer[] into = {ByteBuffer.allocate(3), ByteBuffer.allocate(10), ByteBuffer.allocate(10)};
        long[] total = new long[1];
        runUntil(() -> {
            try {
                total[0] += c.server().read(into, 0, into.length);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return total[0] == 16;
        }, "scattering read");
        assertEquals("alp", new String(into[0].array()));
        assertEquals("ha-beta-ga", new String(into[1].array()));
        assertEquals("mma", new String(into[2].array(), 0, into[2].position()));
        assertEquals(3, into[2].position());
    }

    @Test
    void halfCloseLetsThePeerReplyAfterEndOfStream() throws IOException {
        Connection c = connect(listen(7001), false);
        writeAll(c.client(), "question".getBytes());
        c.client().shutdownOutput();
        assertTrue(c.client().isOutputShutdown());
        assertThrows(ClosedChannelException.class, () -> c.client().write(ByteBuffer.allocate(1)));
        assertArrayEquals("question".getBytes(), readExactly(c.server(), 8));
        runUntil(() -> {
            try {
                return c.server().read(ByteBuffer.allocate(4)) == -1;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "end of stream after the question");
        assertTrue((c.server().readyOps() & Readiness.READ) != 0, "end of stream is readable");
        writeAll(c.server(), "answer".getBytes());
        assertArrayEquals("answer".getBytes(), readExactly(c.client(), 6));
    }

    @Test
    void shutdownInputReadsEndOfStreamAndDiscardsWhatArrives() throws IOException {
        Connection c = connect(listen(7002), false);
        c.server().shutdownInput();
        assertEquals(-1, c.server().read(ByteBuffer.allocate(10)));
        byte[] data = new byte[200_000]; // more than the server's 64 KiB ring: discarding must keep the window open
        writeAll(c.client(), data);
        writeAll(c.client(), data); // the ring of 64 KiB took 400 KB: the server kept consuming
        runFor(1_000_000_000L);
        assertEquals(-1, c.server().read(ByteBuffer.allocate(10)));
    }

    @Test
    void applicationCodeThatThrowsOnTheEngineThreadIsCountedAndTheEngineGoesOn() throws IOException {
        Connection c = connect(listen(7060), false);
        server.engine(0).submit(() -> {
            throw new IllegalStateException("a command's bug (expected in this test)");
        });
        step();
        assertEquals(1, server.counters(0).applicationFailures());
        // A socket shut for input and then closed while data still arrives: the engine must survive its events.
        c.server().shutdownInput();
        c.server().close();
        writeAll(c.client(), new byte[1000]);
        runFor(100_000_000L);
        writeAll(connect(listen(7061), false).client(), "still serving".getBytes());
        assertEquals(1, server.counters(0).applicationFailures());
    }

    @Test
    void connectionRefusedIsReportedByFinishConnectAndClosesTheSocket() throws IOException {
        StackSocket socket = client.openSocket();
        socket.connect(serverAddress(false, 9)); // nothing listens
        runUntil(() -> socket.readyOps() == Readiness.CONNECT, "the RST");
        ConnectException e = assertThrows(ConnectException.class, socket::finishConnect);
        assertEquals("Connection refused", e.getMessage());
        assertFalse(socket.isOpen());
        assertEquals(TcpError.CONNECTION_REFUSED, socket.error());
    }

    @Test
    void noRouteIsReportedAtOnce() {
        StackSocket socket = client.openSocket();
        NoRouteToHostException e = assertThrows(NoRouteToHostException.class,
                () -> socket.connect(new InetSocketAddress(address(true, 0, Ipv6Address.parse("2001:db8::1")), 80)));
        assertTrue(e.getMessage().contains("2001:db8"), e.getMessage());
        assertFalse(socket.isConnectionPending());
    }

    @Test
    void misuseNamesTheProblem() throws IOException {
        StackSocket socket = client.openSocket();
        assertThrows(NotYetConnectedException.class, () -> socket.read(ByteBuffer.allocate(1)));
        assertThrows(NotYetConnectedException.class, () -> socket.write(ByteBuffer.allocate(1)));
        assertThrows(NoConnectionPendingException.class, socket::finishConnect);
        socket.connect(serverAddress(false, 7003));
        assertThrows(ConnectionPendingException.class, () -> socket.connect(serverAddress(false, 7003)));
        socket.close();
        socket.close(); // idempotent
        assertThrows(ClosedChannelException.class, () -> socket.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> socket.connect(serverAddress(false, 7003)));
        assertEquals(0, socket.readyOps());

        StackServerSocket listener = server.openServerSocket();
        assertThrows(NotYetBoundException.class, listener::accept);
        listener.bind(new InetSocketAddress(7004), 0);
        assertThrows(AlreadyBoundException.class, () -> listener.bind(new InetSocketAddress(7005), 0));
        BindException inUse = assertThrows(BindException.class,
                () -> server.openServerSocket().bind(new InetSocketAddress(7004), 0));
        assertTrue(inUse.getMessage().startsWith("Address already in use"), inUse.getMessage());
        BindException foreign = assertThrows(BindException.class,
                () -> server.openServerSocket().bind(new InetSocketAddress(address(false, CLIENT_IP, null), 7006), 0));
        assertTrue(foreign.getMessage().startsWith("Cannot assign requested address"), foreign.getMessage());
        listener.close();
        step();
        StackServerSocket again = server.openServerSocket().bind(new InetSocketAddress(7004), 0); // the port is free again
        again.close();

        Connection c = connect(listen(7007), false);
        assertThrows(AlreadyConnectedException.class, () -> c.client().connect(serverAddress(false, 7007)));
    }

    @Test
    void oneFamilysListenerLeavesThePortFreeForTheOther() throws IOException {
        StackServerSocket v4 = server.openServerSocket().bind(serverAddress(false, 7070), 4);
        StackServerSocket v6 = server.openServerSocket().bind(serverAddress(true, 7070), 4); // as the kernel allows
        assertThrows(BindException.class, () -> server.openServerSocket().bind(new InetSocketAddress(7070), 4),
                "the wildcard needs both families");
        step();
        assertTrue(server.hasListener(address(false, SERVER_IP, null), 7070));
        assertTrue(server.hasListener(address(true, 0, SERVER_IP6), 7070));
        Connection overIpv6 = connect(v6, true);
        assertEquals(7070, overIpv6.server().localAddress().getPort());
        v6.close();
        assertFalse(server.hasListener(address(true, 0, SERVER_IP6), 7070));
        assertTrue(server.hasListener(address(false, SERVER_IP, null), 7070));
        v4.close();
    }

    @Test
    void bindToPortZeroTakesAnEphemeralPortAndConnectsWork() throws IOException {
        StackServerSocket listener = server.openServerSocket().bind(new InetSocketAddress(0), 4);
        step();
        int port = listener.localAddress().getPort();
        assertTrue(port >= EngineConfig.DEFAULT_FIRST_EPHEMERAL_PORT, "port " + port);
        Connection c = connect(listener, true);
        assertEquals(port, c.server().localAddress().getPort());
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void aBoundClientConnectsFromItsPort(boolean ipv6) throws IOException {
        StackServerSocket listener = listen(7050);
        StackSocket socket = client.openSocket().bind(new InetSocketAddress(40_000));
        assertEquals(40_000, socket.localAddress().getPort());
        assertThrows(AlreadyBoundException.class, () -> socket.bind(new InetSocketAddress(40_001)));
        BindException taken = assertThrows(BindException.class, () -> client.openSocket().bind(new InetSocketAddress(40_000)));
        assertTrue(taken.getMessage().startsWith("Address already in use"), taken.getMessage());
        socket.connect(serverAddress(ipv6, 7050));
        assertEquals(40_000, socket.localAddress().getPort());
        runUntil(() -> (socket.readyOps() & Readiness.CONNECT) != 0, "connect");
        assertTrue(socket.finishConnect());
        StackSocket[] accepted = new StackSocket[1];
        runUntil(() -> {
            try {
                return (accepted[0] = listener.accept()) != null;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "accept");
        assertEquals(40_000, accepted[0].remoteAddress().getPort());
        writeAll(socket, "from a bound port".getBytes());
        assertArrayEquals("from a bound port".getBytes(), readExactly(accepted[0], 17));
    }

    @Test
    void bindNamesWhatItCannotDo() throws IOException {
        BindException low = assertThrows(BindException.class, () -> client.openSocket().bind(new InetSocketAddress(80)));
        assertTrue(low.getMessage().startsWith("Cannot assign requested address"), low.getMessage());
        BindException foreign = assertThrows(BindException.class,
                () -> client.openSocket().bind(new InetSocketAddress(address(false, SERVER_IP, null), 0)));
        assertTrue(foreign.getMessage().startsWith("Cannot assign requested address"), foreign.getMessage());
        StackSocket first = client.openSocket().bind(null);
        int port = first.localAddress().getPort();
        assertTrue(port >= EngineConfig.DEFAULT_FIRST_EPHEMERAL_PORT && port <= EngineConfig.DEFAULT_LAST_EPHEMERAL_PORT, "port " + port);
        first.close();
        StackSocket again = client.openSocket().bind(new InetSocketAddress(port)); // closing a bound socket freed its port
        assertEquals(port, again.localAddress().getPort());
        StackSocket v4 = client.openSocket().bind(new InetSocketAddress(address(false, CLIENT_IP, null), 0));
        assertThrows(java.nio.channels.UnsupportedAddressTypeException.class, () -> v4.connect(serverAddress(true, 7051)));
    }

    @Test
    void aPeerResetIsReportedByReadAndWriteAfterTheDataBeforeIt() throws IOException {
        Connection c = connect(listen(7010), false);
        writeAll(c.server(), "last words".getBytes());
        runUntil(() -> (c.client().readyOps() & Readiness.READ) != 0, "data arrives");
        c.server().abort(); // RST
        runUntil(() -> c.client().error() == TcpError.CONNECTION_RESET, "the RST arrives");
        assertArrayEquals("last words".getBytes(), readExactly(c.client(), 10), "bytes before the RST are still read");
        SocketException onRead = assertThrows(SocketException.class, () -> c.client().read(ByteBuffer.allocate(4)));
        assertEquals("Connection reset", onRead.getMessage());
        SocketException onWrite = assertThrows(SocketException.class, () -> c.client().write(ByteBuffer.allocate(4)));
        assertEquals("Connection reset", onWrite.getMessage());
        assertEquals(Readiness.READ | Readiness.WRITE, c.client().readyOps(), "an error makes both ready");
    }

    @Test
    void ringsStayWithAnOpenSocketAfterItsConnectionEndedAndGoBackWhenItCloses() throws IOException {
        Connection c = connect(listen(7014), false);
        RingPool pool = client.engine(0).ringPool();
        long inUse = pool.ringsInUse();
        assertEquals(2, inUse);
        writeAll(c.server(), "before the reset".getBytes());
        runUntil(() -> (c.client().readyOps() & Readiness.READ) != 0, "data arrives");
        c.server().abort();
        runUntil(() -> c.client().error() == TcpError.CONNECTION_RESET, "the RST arrives");
        runFor(100_000_000L);
        assertEquals(0, client.engine(0).flowCount(), "the connection left the flow table");
        assertEquals(2, pool.ringsInUse(), "an open socket still holds its rings: no other connection may get them");
        Connection other = connect(listen(7015), false); // would take the rings had they gone back
        writeAll(other.server(), "x".repeat(5000).getBytes());
        assertArrayEquals("before the reset".getBytes(), readExactly(c.client(), 16), "the old socket reads its own bytes");
        assertThrows(SocketException.class, () -> c.client().read(ByteBuffer.allocate(1)));
        assertEquals(4, pool.ringsInUse());
        c.client().close();
        step();
        assertEquals(2, pool.ringsInUse(), "closing the socket gave its rings back");
        assertArrayEquals("x".repeat(5000).getBytes(), readExactly(other.client(), 5000));
    }

    @Test
    void closingWithUnreadDataResetsThePeer() throws IOException {
        Connection c = connect(listen(7011), false);
        writeAll(c.client(), "unread".getBytes());
        runUntil(() -> (c.server().readyOps() & Readiness.READ) != 0, "data arrives");
        c.server().close();
        runUntil(() -> c.client().error() == TcpError.CONNECTION_RESET, "the RST for unread data");
    }

    @Test
    void lingerZeroCloseAborts() throws IOException {
        Connection c = connect(listen(7012), false);
        c.client().setOption(StandardSocketOptions.SO_LINGER, 0);
        assertEquals(0, c.client().getOption(StandardSocketOptions.SO_LINGER));
        c.client().close();
        runUntil(() -> c.server().error() == TcpError.CONNECTION_RESET, "the RST of the abort");
        step();
        assertEquals(0, client.engine(0).flowCount(), "an abort leaves no TIME_WAIT");
    }

    @Test
    void optionsAreKeptValidatedAndApplied() throws IOException {
        StackSocket socket = client.openSocket();
        assertEquals(false, socket.getOption(StandardSocketOptions.TCP_NODELAY));
        assertEquals(64 * 1024, socket.getOption(StandardSocketOptions.SO_RCVBUF));
        assertEquals(-1, socket.getOption(StandardSocketOptions.SO_LINGER));
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true).setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        assertEquals(true, socket.getOption(StandardSocketOptions.TCP_NODELAY));
        assertEquals(true, socket.getOption(StandardSocketOptions.SO_KEEPALIVE));
        assertThrows(IllegalArgumentException.class, () -> socket.setOption(StandardSocketOptions.SO_SNDBUF, -1));
        assertThrows(UnsupportedOperationException.class, () -> socket.setOption(StandardSocketOptions.IP_TOS, 0));
        assertThrows(UnsupportedOperationException.class, () -> socket.getOption(StandardSocketOptions.SO_REUSEPORT));
        socket.setOption(StandardSocketOptions.SO_LINGER, 100_000);
        assertEquals(0xffff, socket.getOption(StandardSocketOptions.SO_LINGER));

        // Keepalive reaches the connection: an idle connection sends probes after the idle time.
        StackServerSocket listener = listen(7013);
        socket.connect(serverAddress(false, 7013));
        runUntil(() -> (socket.readyOps() & Readiness.CONNECT) != 0, "connect");
        assertTrue(socket.finishConnect());
        long sentBefore = client.counters(0).segmentsSent();
        runFor(TcpConfig.defaults().keepAliveIdleNs() + 2_000_000_000L);
        assertTrue(client.counters(0).segmentsSent() > sentBefore, "keepalive probes went out");
        assertNotNull(listener.accept());
    }

    @Test
    void readinessIsAggregatedToOneWakeupPerSubscriberPerLoop() throws IOException {
        StackServerSocket listener = listen(7020);
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            connections.add(connect(listener, false));
        }
        Map<StackChannel, Integer> ready = new IdentityHashMap<>();
        int[] wakeups = new int[1];
        ReadinessSubscriber subscriber = new ReadinessSubscriber() {
            @Override
            public void ready(StackChannel channel, int readyOps) {
                ready.merge(channel, 1, Integer::sum);
            }

            @Override
            public void wakeup() {
                wakeups[0]++;
            }
        };
        for (Connection c : connections) {
            c.server().subscribe(subscriber);
            c.client().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        // One client loop sends all eight; one server loop receives them: eight channels ready, one wakeup.
        nowNs += STEP_NS;
        client.runOnce(nowNs);
        assertEquals(0, wakeups[0]);
        server.runOnce(nowNs);
        assertEquals(8, ready.size());
        assertTrue(ready.values().stream().allMatch(n -> n == 1), "one ready call per channel: " + ready.values());
        assertEquals(1, wakeups[0]);
        for (Connection c : connections) {
            assertEquals(Readiness.READ | Readiness.WRITE, c.server().readyOps());
        }
        assertTrue(server.counters(0).wakeups() >= 1);

        connections.get(0).server().unsubscribe(subscriber);
        connections.get(0).client().write(ByteBuffer.wrap(new byte[] {4}));
        ready.clear();
        step();
        assertNull(ready.get(connections.get(0).server()), "an unsubscribed channel is not reported");
    }

    @Test
    void acceptReadinessAndBacklogCountQueuedConnections() throws IOException {
        StackServerSocket listener = server.openServerSocket().bind(new InetSocketAddress(7030), 2);
        step();
        int[] wakeups = new int[1];
        listener.subscribe(new ReadinessSubscriber() {
            @Override
            public void ready(StackChannel channel, int readyOps) {
            }

            @Override
            public void wakeup() {
                wakeups[0]++;
            }
        });
        List<StackSocket> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            StackSocket socket = client.openSocket();
            socket.connect(serverAddress(false, 7030));
            clients.add(socket);
        }
        runUntil(() -> listener.queuedConnections() == 2, "two queued");
        assertEquals(Readiness.ACCEPT, listener.readyOps());
        assertTrue(wakeups[0] >= 1);
        assertNotNull(listener.accept());
        assertNotNull(listener.accept());
        assertNull(listener.accept());
        assertEquals(0, listener.readyOps());
        listener.close();
        assertFalse(listener.isOpen());
        assertThrows(ClosedChannelException.class, listener::accept);
    }
}
