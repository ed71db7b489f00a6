package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.DeviceDrop;
import io.mtcp4j.stack.device.ImpairedDevice;
import io.mtcp4j.stack.device.Impairment;
import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.ip.NeighborConfig;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpError;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.tcp.TcpState;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many connections open at once between two engines over a linked pair of loop devices, stepped
 * in the test thread with an injected clock: every connection moves its own amount of seeded
 * random data each way, every byte is checked on arrival, and all close cleanly, leaving both
 * flow tables empty once TIME_WAIT has passed.
 *
 * <h2>What is checked</h2>
 * <ul>
 *   <li>All connections are established before any data moves, then every one starts sending
 *       in the same loop, and none closes before every connection has moved all its data both
 *       ways: all of them are open, and moving data, at once.</li>
 *   <li>Each direction of each connection is a stream whose byte at position {@code p} is a
 *       function of the stream's key and {@code p} ({@link #fill}); the sender fills its writes
 *       from it and the receiver checks every byte it reads against it, so a lost, duplicated,
 *       reordered or corrupted byte fails at the first wrong position.</li>
 *   <li>Even connections are closed first by the client, odd ones by the server, so both
 *       engines hold connections in TIME_WAIT and in LAST_ACK; every connection ends with
 *       {@link TcpError#NONE}, and both flow tables are empty once TIME_WAIT has passed.</li>
 *   <li>The counters: as many active opens, passive opens and closes as connections, no engine
 *       drop of any kind, no reset, no SYN cookie.</li>
 * </ul>
 *
 * <h2>The link</h2>
 * A loop device has no back-pressure from a full receive queue: a frame that does not fit is
 * dropped ({@code DeviceDrop.QUEUE_FULL}), as on a real link. When 10,000 connections start
 * sending in one loop, each with an initial window of ten segments, the burst (about 100,000
 * frames) is bigger than the largest queue (65,536 frames), so the link drops frames and TCP's
 * loss recovery has to make up for them; that is part of the test, and the only drop allowed.
 */
class ConcurrentConnectionsTest {
    private static final long SEED = 0x5eed_c0ffee_2026L;
    private static final int PORT = 7000;
    private static final long STEP_NS = 20_000;
    private static final int RING_BYTES = 16 * 1024;
    private static final int MIN_STREAM_BYTES = 2 * 1024;
    private static final int MAX_STREAM_BYTES = 48 * 1024;
    private static final long TIME_WAIT_NS = 2_000_000_000L;
    private static final int QUEUE_DEPTH = 65_536;
    private static final int CLIENT_IP = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER_IP = Ipv4Address.parse("10.0.0.2");
    private static final Ipv6Address CLIENT_IP6 = Ipv6Address.parse("fd00::1");
    private static final Ipv6Address SERVER_IP6 = Ipv6Address.parse("fd00::2");

    private long nowNs = 1_000_000_000L;
    /** 2% loss, 2% reordering, 1% duplication, 1 ms each way. */
    private static final Impairment LOSSY = Impairment.NONE.withLoss(0.02).withReordering(0.02, 3).withDuplication(0.01)
            .withDelay(1_000_000, 0);

    private LoopDevice.Pair pair;
    private ImpairedDevice impaired;
    private Engine client;
    private Engine server;
    private TcpListener listener;
    private Side[] clientSides;
    private Side[] serverSides;
    /** Client port to connection index, so that the server side of an accepted connection knows its streams. */
    private final int[] indexByClientPort = new int[0x10000];
    private final byte[] scratch = new byte[64 * 1024];
    private int established;
    private int closedSides;
    private int finishedClientSides;
    private int finishedServerSides;
    /** Set once every connection has moved all its data: no connection closes before, so all were open at once. */
    private boolean closing;

    @AfterEach
    void closeDevices() {
        if (impaired != null) {
            impaired.close(); // and the pair's end a
            pair.b().close();
        } else if (pair != null) {
            pair.close();
        }
    }

    @Test
    void tenThousandIpv4ConnectionsMoveSeededDataBothWaysAndCloseCleanly() {
        run(false, 10_000, Impairment.NONE);
    }

    @Test
    void twoThousandIpv6ConnectionsMoveSeededDataBothWaysAndCloseCleanly() {
        run(true, 2_000, Impairment.NONE);
    }

    /**
     * Handshakes, transfers and closes of many connections at once through a link that loses,
     * reorders and duplicates frames (1 ms each way): lost SYNs, SYN-ACKs, FINs and their ACKs are
     * all retransmitted in time, and every connection still ends without error. The link's delay
     * line holds 1,000 frames (netem's default limit), so the opening burst of 2,000 connections
     * also overflows it, as a bottleneck's queue would.
     */
    @Test
    void twoThousandConnectionsThroughALossyLinkCloseCleanly() {
        run(false, 2_000, LOSSY);
    }

    private void run(boolean ipv6, int connections, Impairment impairment) {
        long wallStartNs = System.nanoTime();
        long startNs = nowNs;
        pair = LoopDevice.pair(LoopDevice.Options.defaults("many").withQueueDepth(QUEUE_DEPTH));
        NetDevice clientDevice = pair.a();
        if (!impairment.isNone()) {
            impaired = new ImpairedDevice(pair.a(), impairment, impairment, SEED, () -> nowNs);
            clientDevice = impaired;
        }
        TcpConfig tcp = TcpConfig.defaults().with(b -> b.sendBufferBytes(RING_BYTES).receiveBufferBytes(RING_BYTES)
                .timeWaitNs(TIME_WAIT_NS));
        int expectedFlows = Integer.highestOneBit(connections) * 2;
        client = new Engine(config(clientDevice.macAddress(), CLIENT_IP, CLIENT_IP6, tcp, expectedFlows), clientDevice, 0, nowNs);
        server = new Engine(config(pair.b().macAddress(), SERVER_IP, SERVER_IP6, tcp, expectedFlows), pair.b(), 0, nowNs);
        listener = server.listen(ipv6, PORT, connections);
        server.defaultHandler(this::accepted);
        clientSides = new Side[connections];
        serverSides = new Side[connections];
        InetAddress serverAddress = address(ipv6);

        // The first connection resolves the neighbours both ways; the others open together.
        open(0, serverAddress);
        runUntil(() -> established == 1, 100_000, "first handshake");
        for (int i = 1; i < connections; i++) {
            open(i, serverAddress);
        }
        runUntil(() -> established == connections, 10_000_000, "all handshakes");
        assertEquals(connections, client.flowCount());
        assertEquals(connections, server.flowCount());
        for (Side side : clientSides) {
            side.start();
        }
        runUntil(() -> finishedClientSides == connections && finishedServerSides == connections, 50_000_000, "transfers");
        assertEquals(connections, client.flowCount(), "every connection is still open on the client");
        assertEquals(connections, server.flowCount(), "every connection is still open on the server");
        closing = true;
        for (int i = 0; i < connections; i++) {
            clientSides[i].pump();
            serverSides[i].pump();
        }
        runUntil(() -> closedSides == 2 * connections, 10_000_000, "closes");
        runUntil(() -> client.flowCount() == 0 && server.flowCount() == 0, 10_000_000, "TIME_WAIT expiry");

        for (int i = 0; i < connections; i++) {
            for (Side side : new Side[] {clientSides[i], serverSides[i]}) {
                assertEquals(TcpState.CLOSED, side.connection.state(), side.toString());
                assertEquals(TcpError.NONE, side.connection.error(), side.toString());
                assertEquals(side.sendBytes, side.sent, side.toString());
                assertEquals(side.receiveBytes, side.received, side.toString());
            }
        }
        for (Engine engine : new Engine[] {client, server}) {
            EngineCounters counters = engine.counters();
            assertEquals(0, counters.totalDrops(), "no drops: " + counters);
            assertEquals(0, counters.resetsSent(), "no resets: " + counters);
            assertEquals(connections, counters.connectionsClosed(), counters.toString());
        }
        assertEquals(connections, client.counters().activeOpens());
        assertEquals(0, client.counters().passiveOpens());
        assertEquals(connections, server.counters().passiveOpens());
        assertEquals(0, server.counters().activeOpens());
        assertEquals(0, listener.cookiesSent(), "the backlog held every handshake");
        long queueFull = 0;
        for (LoopDevice device : new LoopDevice[] {pair.a(), pair.b()}) {
            queueFull += device.counters().drops(DeviceDrop.QUEUE_FULL);
            assertEquals(device.counters().drops(DeviceDrop.QUEUE_FULL), device.counters().totalDrops(),
                    "the link drops only for a full queue: " + device.counters());
        }
        long retransmitted = 0;
        for (int i = 0; i < connections; i++) {
            retransmitted += clientSides[i].retransmittedSegments + serverSides[i].retransmittedSegments;
        }
        System.out.printf("%d %s connections: %.2f s virtual (TIME_WAIT %.0f s included), %.1f s wall, "
                        + "%d frames dropped by full link queues, %d segments retransmitted%nclient %s%nserver %s%n",
                connections, ipv6 ? "IPv6" : "IPv4", (nowNs - startNs) / 1e9, TIME_WAIT_NS / 1e9,
                (System.nanoTime() - wallStartNs) / 1e9, queueFull, retransmitted, client.counters(), server.counters());
        if (impaired != null) {
            StringBuilder events = new StringBuilder("link impairment:");
            for (ImpairedDevice.Direction direction : ImpairedDevice.Direction.values()) {
                for (ImpairedDevice.Event event : ImpairedDevice.Event.values()) {
                    events.append(' ').append(direction).append('/').append(event).append('=').append(impaired.count(direction, event));
                }
            }
            System.out.println(events);
        }
    }

    private static EngineConfig config(long mac, int ipv4, Ipv6Address ipv6, TcpConfig tcp, int expectedFlows) {
        return new EngineConfig(StackAddresses.of(mac, ipv4, 24, ipv6, 64), tcp,
                EngineConfig.DEFAULT_FIRST_EPHEMERAL_PORT, EngineConfig.DEFAULT_LAST_EPHEMERAL_PORT,
                64, 64, 256, expectedFlows, NeighborConfig.defaults(), 1, EngineConfig.DEFAULT_RING_POOL_IDLE_BYTES);
    }

    private static InetAddress address(boolean ipv6) {
        try {
            return ipv6 ? InetAddress.getByAddress(SERVER_IP6.toBytes())
                    : InetAddress.getByAddress(new byte[] {10, 0, 0, 2});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private void open(int index, InetAddress serverAddress) {
        Side side = new Side(index, true);
        clientSides[index] = side;
        side.connection = client.connect(serverAddress, PORT, side);
        indexByClientPort[side.connection.endpoints().localPort()] = index;
    }

    /** The server's default handler: a new connection gets its side, which takes over its events. */
    private void accepted(TcpConnection connection, int events) {
        while (listener.accept() != null) {
            // accepted connections are found through their events; the queue only needs emptying
        }
        int index = indexByClientPort[connection.endpoints().remotePort()];
        Side side = new Side(index, false);
        side.connection = connection;
        serverSides[index] = side;
        server.handler(connection, side);
        side.onEvents(connection, events);
    }

    private void runUntil(java.util.function.BooleanSupplier done, int maxSteps, String what) {
        for (int i = 0; i < maxSteps; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            step();
        }
        throw new AssertionError("not done after " + maxSteps + " steps: " + what + "; established " + established
                + ", finished " + finishedClientSides + " client and " + finishedServerSides + " server sides, closed sides " + closedSides
                + "\nclient " + client.counters() + "\nserver " + server.counters()
                + "\nlink a " + pair.a().counters() + "\nlink b " + pair.b().counters());
    }

    /** One loop of each engine; when neither had work, the clock jumps to the next deadline. */
    private void step() {
        nowNs += STEP_NS;
        int work = client.doWork(nowNs);
        work += server.doWork(nowNs);
        if (work == 0) {
            long next = Math.min(client.nextDeadlineNs(), server.nextDeadlineNs());
            if (next != Long.MAX_VALUE && next > nowNs) {
                nowNs = next - STEP_NS; // the next step lands on it
            }
        }
    }

    // ------------------------------------------------------------------------- seeded streams

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Fills {@code destination[0..length)} with the stream {@code key} from {@code position}: byte
     * {@code p} of a stream is byte {@code p % 8} of a 64-bit mix of the key and {@code p / 8}, so
     * any range can be produced or checked without keeping the stream.
     */
    private static void fill(long key, long position, byte[] destination, int length) {
        long word = 0;
        for (int i = 0; i < length; i++) {
            long p = position + i;
            if (i == 0 || (p & 7) == 0) {
                word = mix(key + (p >>> 3) * 0x9e3779b97f4a7c15L);
            }
            destination[i] = (byte) (word >>> ((p & 7) << 3));
        }
    }

    /** Index of the first byte of {@code source[0..length)} that differs from the stream at {@code position}, or -1. */
    private static int firstMismatch(long key, long position, byte[] source, int length) {
        long word = 0;
        for (int i = 0; i < length; i++) {
            long p = position + i;
            if (i == 0 || (p & 7) == 0) {
                word = mix(key + (p >>> 3) * 0x9e3779b97f4a7c15L);
            }
            if (source[i] != (byte) (word >>> ((p & 7) << 3))) {
                return i;
            }
        }
        return -1;
    }

    private static long streamKey(int index, boolean clientToServer) {
        return mix(SEED ^ (2L * index + (clientToServer ? 0 : 1)));
    }

    private static int streamBytes(int index, boolean clientToServer) {
        long r = mix(SEED + 0x1234_5678L * (2L * index + (clientToServer ? 0 : 1)));
        return MIN_STREAM_BYTES + (int) Long.remainderUnsigned(r, MAX_STREAM_BYTES - MIN_STREAM_BYTES + 1);
    }

    // -------------------------------------------------------------------------- one side

    /** One end of one connection: sends its stream, checks the peer's, closes when both are done. */
    private final class Side implements ConnectionHandler {
        final int index;
        final boolean isClient;
        final Engine engine;
        final long sendKey;
        final long receiveKey;
        final int sendBytes;
        final int receiveBytes;
        /** Whether this side closes first (the client for even connections, the server for odd ones). */
        final boolean closesFirst;
        TcpConnection connection;
        boolean started;
        boolean finishedTransfer;
        int sent;
        int received;
        boolean endOfStream;
        boolean closeCalled;
        boolean closed;
        long retransmittedSegments;

        Side(int index, boolean isClient) {
            this.index = index;
            this.isClient = isClient;
            this.engine = isClient ? client : server;
            this.sendKey = streamKey(index, isClient);
            this.receiveKey = streamKey(index, !isClient);
            this.sendBytes = streamBytes(index, isClient);
            this.receiveBytes = streamBytes(index, !isClient);
            this.closesFirst = (index & 1) == (isClient ? 0 : 1);
        }

        @Override
        public void onEvents(TcpConnection c, int events) {
            if ((events & TcpConnection.EVENT_CONNECTED) != 0 && isClient) {
                established++;
            }
            pump();
            if ((events & TcpConnection.EVENT_CLOSED) != 0 && !closed) {
                closed = true;
                retransmittedSegments = connection.info().retransmittedSegments();
                closedSides++;
            }
        }

        /** The client starts when every connection is established; the server when the client's first bytes arrive. */
        void start() {
            if (!started) {
                started = true;
                pump();
            }
        }

        void pump() {
            if (closeCalled) {
                return;
            }
            int read;
            while ((read = engine.read(connection, scratch, 0, scratch.length)) > 0) {
                if (received + read > receiveBytes) {
                    throw new AssertionError(this + ": " + (received + read) + " bytes arrived of " + receiveBytes);
                }
                int mismatch = firstMismatch(receiveKey, received, scratch, read);
                if (mismatch >= 0) {
                    throw new AssertionError(this + ": wrong byte at stream position " + (received + mismatch));
                }
                received += read;
                if (!isClient && !started) {
                    start();
                }
            }
            if (read < 0) {
                endOfStream = true;
            }
            if (started) {
                while (sent < sendBytes) {
                    int length = Math.min(sendBytes - sent, connection.writableBytes());
                    if (length == 0) {
                        break;
                    }
                    fill(sendKey, sent, scratch, length);
                    int written = engine.write(connection, scratch, 0, length);
                    assertEquals(length, written, "writableBytes fitted");
                    sent += written;
                }
            }
            if (!finishedTransfer && sent == sendBytes && received == receiveBytes) {
                finishedTransfer = true;
                if (isClient) {
                    finishedClientSides++;
                } else {
                    finishedServerSides++;
                }
            }
            if (finishedTransfer && closing && (closesFirst || endOfStream)) {
                closeCalled = true;
                engine.close(connection);
            }
        }

        @Override
        public String toString() {
            return (isClient ? "client" : "server") + " side of connection " + index + " (" + connection.endpoints()
                    + ", " + connection.state() + "): sent " + sent + "/" + sendBytes + ", received " + received + "/" + receiveBytes;
        }
    }
}
