package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.ImpairedDevice;
import io.mtcp4j.stack.device.Impairment;
import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.ip.NeighborState;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpError;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.tcp.TcpState;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.Icmpv4Flyweight;
import io.mtcp4j.stack.wire.Icmpv6Flyweight;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Ipv6Flyweight;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two engines over a linked pair of loop devices, stepped alternately in one thread with an
 * injected clock: neighbour resolution, handshakes, a megabyte each way, clean closes, refused
 * connects and echo replies, over IPv4 and IPv6, and through an impaired link.
 */
class TwoEnginesTest {
    private static final long STEP_NS = 50_000; // 50 us of simulated time per loop of each engine
    private static final int PORT = 5000;
    private static final int TRANSFER_BYTES = 1 << 20;
    private static final int CLIENT_IP = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER_IP = Ipv4Address.parse("10.0.0.2");
    private static final Ipv6Address CLIENT_IP6 = Ipv6Address.parse("fd00::1");
    private static final Ipv6Address SERVER_IP6 = Ipv6Address.parse("fd00::2");

    private long nowNs = 1_000_000_000L;
    private LoopDevice.Pair pair;
    private NetDevice clientDevice;
    private Engine client;
    private Engine server;
    private final List<TcpConnection> accepted = new ArrayList<>();
    private TcpListener listener;

    @AfterEach
    void closeDevices() {
        if (clientDevice instanceof ImpairedDevice impaired) {
            impaired.close(); // closes pair.a() too
            pair.b().close();
        } else if (pair != null) {
            pair.close();
        }
    }

    private void start(Impairment impairment) {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("engines"));
        clientDevice = impairment.isNone() ? pair.a()
                : new ImpairedDevice(pair.a(), impairment, impairment, 42, () -> nowNs);
        client = new Engine(EngineConfig.of(StackAddresses.of(clientDevice.macAddress(), CLIENT_IP, 24, CLIENT_IP6, 64)),
                clientDevice, 0, nowNs);
        server = new Engine(EngineConfig.of(StackAddresses.of(pair.b().macAddress(), SERVER_IP, 24, SERVER_IP6, 64)),
                pair.b(), 0, nowNs);
        server.defaultHandler((connection, events) -> {
            if ((events & TcpConnection.EVENT_CONNECTED) != 0 && listener != null) {
                TcpConnection child;
                while ((child = listener.accept()) != null) {
                    accepted.add(child);
                }
            }
        });
    }

    private void step() {
        nowNs += STEP_NS;
        client.doWork(nowNs);
        server.doWork(nowNs);
    }

    private void runUntil(BooleanSupplier done, int maxSteps, String what) {
        for (int i = 0; i < maxSteps; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            step();
        }
        throw new AssertionError("not done after " + maxSteps + " steps: " + what
                + "\nclient " + client.counters() + "\nserver " + server.counters());
    }

    private static InetAddress address(boolean ipv6, int ipv4, Ipv6Address ip6) {
        try {
            return ipv6 ? InetAddress.getByAddress(ip6.toBytes())
                    : InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** One side of a transfer: writes its data, reads the other side's, closes when both are done. */
    private static final class Side {
        final Engine engine;
        final TcpConnection connection;
        final byte[] toSend;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final byte[] buffer = new byte[64 * 1024];
        int sent;
        boolean endOfStream;
        boolean closed;

        Side(Engine engine, TcpConnection connection, byte[] toSend) {
            this.engine = engine;
            this.connection = connection;
            this.toSend = toSend;
        }

        /** @param closeFirst close when our data is sent and theirs received (the active closer); else after their FIN */
        void pump(boolean closeFirst) {
            if (sent < toSend.length && connection.state() == TcpState.ESTABLISHED) {
                sent += engine.write(connection, toSend, sent, toSend.length - sent);
            }
            int read;
            while ((read = engine.read(connection, buffer, 0, buffer.length)) > 0) {
                received.write(buffer, 0, read);
            }
            if (read < 0) {
                endOfStream = true;
            }
            boolean allReceived = received.size() == toSend.length;
            if (!closed && sent == toSend.length && allReceived && (closeFirst || endOfStream)) {
                engine.close(connection);
                closed = true;
            }
        }
    }

    private void transfer(boolean ipv6, int maxSteps) {
        listener = server.listen(ipv6, PORT, 16);
        List<Integer> clientEvents = new ArrayList<>();
        TcpConnection connection = client.connect(address(ipv6, SERVER_IP, SERVER_IP6), PORT,
                (c, events) -> clientEvents.add(events));
        runUntil(() -> !accepted.isEmpty() && connection.state() == TcpState.ESTABLISHED, 2_000, "handshake");
        assertTrue(clientEvents.stream().anyMatch(e -> (e & TcpConnection.EVENT_CONNECTED) != 0), "client saw EVENT_CONNECTED");
        if (ipv6) {
            assertEquals(pair.b().macAddress(), client.neighborCache().cachedMac(SERVER_IP6.high(), SERVER_IP6.low()),
                    "neighbour discovery resolved the server");
        } else {
            assertEquals(pair.b().macAddress(), client.arpCache().cachedMac(0, Integer.toUnsignedLong(SERVER_IP)),
                    "ARP resolved the server");
            assertTrue(client.arpCache().state(0, Integer.toUnsignedLong(SERVER_IP), nowNs) != NeighborState.NONE);
        }

        Random random = new Random(ipv6 ? 6 : 4);
        byte[] clientData = new byte[TRANSFER_BYTES];
        byte[] serverData = new byte[TRANSFER_BYTES];
        random.nextBytes(clientData);
        random.nextBytes(serverData);
        Side clientSide = new Side(client, connection, clientData);
        Side serverSide = new Side(server, accepted.get(0), serverData);
        runUntil(() -> {
            clientSide.pump(true);
            serverSide.pump(false);
            return clientSide.connection.state() == TcpState.TIME_WAIT && serverSide.connection.state() == TcpState.CLOSED;
        }, maxSteps, "transfer and close");

        assertArrayEquals(clientData, serverSide.received.toByteArray(), "client to server, byte-identical");
        assertArrayEquals(serverData, clientSide.received.toByteArray(), "server to client, byte-identical");
        assertEquals(TcpError.NONE, serverSide.connection.error());
        assertEquals(0, server.flowCount(), "the closed connection left the server's flow table");
        assertEquals(1, client.flowCount(), "TIME_WAIT keeps the client's flow");
        assertTrue(client.counters().segmentsSent() > TRANSFER_BYTES / 1460, "client segments out: " + client.counters());
        assertTrue(server.counters().segmentsSent() > TRANSFER_BYTES / 1460, "server segments out: " + server.counters());
        assertTrue(client.counters().segmentsReceived() > TRANSFER_BYTES / 1460, "client segments in");
        assertTrue(server.counters().segmentsReceived() > TRANSFER_BYTES / 1460, "server segments in");
        assertEquals(1, client.counters().activeOpens());
        assertEquals(1, server.counters().passiveOpens());
        assertEquals(1, server.counters().connectionsClosed());
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void aMegabyteEachWayArrivesIdenticalAndBothSidesCloseCleanly(boolean ipv6) {
        start(Impairment.NONE);
        transfer(ipv6, 200_000);
        assertEquals(0, client.counters().totalDrops(), "no drops on a clean link: " + client.counters());
        assertEquals(0, server.counters().totalDrops(), "no drops on a clean link: " + server.counters());
        // TIME_WAIT ends after 2 MSL (60 s), and the flow leaves the table.
        runUntil(() -> client.flowCount() == 0, (int) (61_000_000_000L / STEP_NS), "TIME_WAIT expiry");
        assertEquals(1, client.counters().connectionsClosed());
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void theTransferSurvivesLossAndReordering(boolean ipv6) {
        start(Impairment.NONE.withLoss(0.02).withReordering(0.02, 3));
        transfer(ipv6, 2_000_000);
        ImpairedDevice impaired = (ImpairedDevice) clientDevice;
        assertTrue(impaired.count(ImpairedDevice.Direction.TRANSMIT, ImpairedDevice.Event.LOST) > 0, "the link lost frames");
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void aConnectToAPortWithoutListenerIsRefused(boolean ipv6) {
        start(Impairment.NONE);
        List<Integer> events = new ArrayList<>();
        TcpConnection connection = client.connect(address(ipv6, SERVER_IP, SERVER_IP6), 6000, (c, e) -> events.add(e));
        runUntil(() -> connection.state() == TcpState.CLOSED, 2_000, "refusal");
        assertEquals(TcpError.CONNECTION_REFUSED, connection.error());
        assertTrue(events.stream().anyMatch(e -> (e & TcpConnection.EVENT_CLOSED) != 0), "EVENT_CLOSED published");
        assertEquals(1, server.counters().drops(EngineDrop.NO_LISTENER));
        assertEquals(1, server.counters().resetsSent());
        assertEquals(0, client.flowCount(), "the refused connection left the flow table");
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void anEchoRequestIsAnswered(boolean ipv6) {
        start(Impairment.NONE);
        FrameBatch batch = new FrameBatch(1);
        assertEquals(1, clientDevice.lend(0, batch, 1));
        int length = ipv6 ? echoRequestIpv6(batch.segment(0), batch.offset(0)) : echoRequestIpv4(batch.segment(0), batch.offset(0));
        batch.length(0, length);
        assertEquals(1, clientDevice.transmit(0, batch));
        runUntil(() -> client.counters().echoRepliesReceived() == 1, 100, "echo reply");
        assertEquals(1, server.counters().controlRepliesSent());
        assertEquals(0, server.counters().totalDrops());
    }

    /** Ethernet + IPv4 + ICMP echo request (type 8) with 8 bytes of data, checksums complete. */
    private int echoRequestIpv4(MemorySegment frame, long offset) {
        int icmpBytes = 16;
        new EthernetFlyweight().wrapForWrite(frame, offset).destination(pair.b().macAddress()).source(clientDevice.macAddress())
                .etherType(EthernetFlyweight.ETHERTYPE_IPV4);
        new Ipv4Flyweight().wrapForWrite(frame, offset + 14).version(4).headerLength(20).typeOfService(0)
                .totalLength(20 + icmpBytes).identification(1).flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT).fragmentOffsetBytes(0)
                .ttl(64).protocol(Ipv4Flyweight.PROTOCOL_ICMP).source(CLIENT_IP).destination(SERVER_IP).fillChecksum();
        frame.asSlice(offset + 34, icmpBytes).fill((byte) 0x5a);
        new Icmpv4Flyweight().wrapForWrite(frame, offset + 34, icmpBytes).type(Icmpv4Flyweight.TYPE_ECHO_REQUEST).code(0)
                .identifier(7).sequenceNumber(1).fillChecksum();
        return 14 + 20 + icmpBytes;
    }

    /** Ethernet + IPv6 + ICMPv6 echo request (type 128) with 8 bytes of data; the server must first learn nothing. */
    private int echoRequestIpv6(MemorySegment frame, long offset) {
        int icmpBytes = 16;
        new EthernetFlyweight().wrapForWrite(frame, offset).destination(pair.b().macAddress()).source(clientDevice.macAddress())
                .etherType(EthernetFlyweight.ETHERTYPE_IPV6);
        Ipv6Flyweight ip = new Ipv6Flyweight().wrapForWrite(frame, offset + 14).version(6).trafficClass(0).flowLabel(0)
                .payloadLength(icmpBytes).nextHeader(Ipv6Flyweight.ICMPV6).hopLimit(64)
                .source(CLIENT_IP6.high(), CLIENT_IP6.low()).destination(SERVER_IP6.high(), SERVER_IP6.low());
        frame.asSlice(offset + 54, icmpBytes).fill((byte) 0x5a);
        new Icmpv6Flyweight().wrapForWrite(frame, offset + 54, icmpBytes).type(Icmpv6Flyweight.ECHO_REQUEST).code(0)
                .identifier(7).sequenceNumber(1).fillChecksum(ip.pseudoHeaderSum(Ipv6Flyweight.ICMPV6, icmpBytes));
        return 14 + 40 + icmpBytes;
    }

    // RFC 1191 / RFC 5927: "fragmentation needed" quoting a segment of the flow lowers its MSS; one
    // quoting a sequence number outside the flow's unacknowledged data is ignored.
    @Test
    void fragmentationNeededLowersTheFlowsMss() {
        start(Impairment.NONE);
        listener = server.listen(false, PORT, 4);
        TcpConnection connection = client.connect(address(false, SERVER_IP, SERVER_IP6), PORT, (c, events) -> { });
        runUntil(() -> !accepted.isEmpty() && connection.state() == TcpState.ESTABLISHED, 2_000, "handshake");
        int mssBefore = connection.info().sendMssBytes();

        sendFragmentationNeeded(connection, connection.sendUnacknowledged() + 1_000_000, 1_000);
        runUntil(() -> client.counters().drops(EngineDrop.ICMP_ERROR_OUT_OF_WINDOW) == 1, 100, "stale error counted");
        assertEquals(mssBefore, connection.info().sendMssBytes(), "an error for data not in flight changes nothing");

        // Data in flight (sent by the client, not yet seen by the server), then the error quoting it.
        assertEquals(8_000, client.write(connection, new byte[8_000], 0, 8_000));
        nowNs += STEP_NS;
        client.doWork(nowNs);
        assertTrue(connection.info().bytesInFlight() > 0, "data in flight");
        sendFragmentationNeeded(connection, connection.sendUnacknowledged(), 1_000);
        runUntil(() -> client.counters().pathMtuUpdates() == 1, 100, "path MTU update");
        assertEquals(1_000 - 40 - 12, connection.info().sendMssBytes(), "MTU less IPv4 and TCP headers and the timestamp option");
    }

    // RFC 1122 4.2.3.9 and Linux: an unreachable answer to our SYN fails the connect with what it
    // means; on an open connection it is a soft error that changes nothing until a timeout.
    @Test
    void unreachableErrorsFailAConnectAndAreSoftAfterwards() {
        start(Impairment.NONE);
        listener = server.listen(false, PORT, 4);
        TcpConnection open = client.connect(address(false, SERVER_IP, SERVER_IP6), PORT, (c, events) -> { });
        runUntil(() -> !accepted.isEmpty() && open.state() == TcpState.ESTABLISHED, 2_000, "handshake");
        assertEquals(8_000, client.write(open, new byte[8_000], 0, 8_000));
        nowNs += STEP_NS;
        client.doWork(nowNs);
        sendUnreachable(open, open.sendUnacknowledged(), 1, 0); // host unreachable, quoting data in flight
        nowNs += STEP_NS;
        client.doWork(nowNs);
        assertEquals(TcpState.ESTABLISHED, open.state(), "a soft error on an open connection");
        assertEquals(TcpError.NONE, open.error());

        TcpConnection connecting = client.connect(address(false, SERVER_IP, SERVER_IP6), PORT + 1, (c, events) -> { });
        nowNs += STEP_NS;
        client.doWork(nowNs); // the SYN leaves; the server is not stepped, so nothing answers it
        assertEquals(TcpState.SYN_SENT, connecting.state());
        sendUnreachable(connecting, connecting.sendUnacknowledged(), 3, 0); // port unreachable
        nowNs += STEP_NS;
        client.doWork(nowNs);
        assertEquals(TcpState.CLOSED, connecting.state(), () -> client.counters().toString());
        assertEquals(TcpError.CONNECTION_REFUSED, connecting.error());

        TcpConnection another = client.connect(address(false, SERVER_IP, SERVER_IP6), PORT + 2, (c, events) -> { });
        nowNs += STEP_NS;
        client.doWork(nowNs);
        sendUnreachable(another, another.sendUnacknowledged(), 1, 0); // host unreachable
        nowNs += STEP_NS;
        client.doWork(nowNs);
        assertEquals(TcpError.HOST_UNREACHABLE, another.error());
        assertEquals(3, client.counters().icmpErrorsForFlows());
    }

    // RFC 6191 / RFC 1122 4.2.2.13: a new SYN for a four-tuple the server holds in TIME_WAIT opens a
    // new connection: with timestamps, its TSval is newer (one timestamp clock per address pair);
    // without, its sequence number is past the old connection's.
    @ParameterizedTest(name = "timestamps={0}")
    @ValueSource(booleans = {true, false})
    void aNewSynReusesAFourTupleInTimeWait(boolean timestamps) {
        start(Impairment.NONE);
        client = new Engine(EngineConfig.of(StackAddresses.of(clientDevice.macAddress(), CLIENT_IP, 24, CLIENT_IP6, 64))
                .withTcp(TcpConfig.defaults().with(b -> b.timestamps(timestamps))).withEphemeralPorts(40_000, 40_000),
                clientDevice, 0, nowNs);
        listener = server.listen(false, PORT, 4);
        for (int round = 1; round <= 2; round++) {
            int expectedAccepted = round;
            TcpConnection connection = client.connect(address(false, SERVER_IP, SERVER_IP6), PORT, (c, events) -> { });
            assertEquals(40_000, connection.endpoints().localPort());
            runUntil(() -> accepted.size() == expectedAccepted && connection.state() == TcpState.ESTABLISHED, 2_000,
                    "handshake " + round);
            TcpConnection serverSide = accepted.get(round - 1);
            server.close(serverSide); // the server closes first and keeps the four-tuple in TIME_WAIT
            runUntil(() -> connection.state() == TcpState.CLOSE_WAIT, 2_000, "client sees FIN");
            client.close(connection);
            runUntil(() -> connection.state() == TcpState.CLOSED && serverSide.state() == TcpState.TIME_WAIT, 2_000,
                    "close " + round);
            for (int i = 0; i < 40; i++) {
                step(); // 2 ms: the next SYN's timestamp is newer (1 ms ticks)
            }
        }
        assertEquals(1, server.counters().timeWaitReuses());
        assertEquals(0, server.counters().totalDrops(), server.counters().toString());
    }

    /** From the server's side of the link: ICMP type 3 code 4 quoting a client-to-server TCP/IPv4 header. */
    private void sendFragmentationNeeded(TcpConnection connection, int quotedSequence, int nextHopMtu) {
        sendUnreachable(connection, quotedSequence, Icmpv4Flyweight.CODE_FRAGMENTATION_NEEDED, nextHopMtu);
    }

    /** From the server's side of the link: ICMP type 3 with {@code code} quoting a client-to-server TCP/IPv4 header. */
    private void sendUnreachable(TcpConnection connection, int quotedSequence, int code, int restOfHeader) {
        FrameBatch batch = new FrameBatch(1);
        assertEquals(1, pair.b().lend(0, batch, 1));
        MemorySegment frame = batch.segment(0);
        long offset = batch.offset(0);
        int quotedBytes = 20 + 8;
        int icmpBytes = 8 + quotedBytes;
        new EthernetFlyweight().wrapForWrite(frame, offset).destination(clientDevice.macAddress())
                .source(pair.b().macAddress()).etherType(EthernetFlyweight.ETHERTYPE_IPV4);
        new Ipv4Flyweight().wrapForWrite(frame, offset + 14).version(4).headerLength(20).typeOfService(0)
                .totalLength(20 + icmpBytes).identification(2).flags(0).fragmentOffsetBytes(0)
                .ttl(64).protocol(Ipv4Flyweight.PROTOCOL_ICMP).source(SERVER_IP).destination(CLIENT_IP).fillChecksum();
        long quoted = offset + 34 + 8;
        new Ipv4Flyweight().wrapForWrite(frame, quoted).version(4).headerLength(20).typeOfService(0)
                .totalLength(1_500).identification(3).flags(Ipv4Flyweight.FLAG_DONT_FRAGMENT).fragmentOffsetBytes(0)
                .ttl(63).protocol(Ipv4Flyweight.PROTOCOL_TCP).source(CLIENT_IP).destination(SERVER_IP).fillChecksum();
        NetworkOrder.u16(frame, quoted + 20, connection.endpoints().localPort());
        NetworkOrder.u16(frame, quoted + 22, connection.endpoints().remotePort());
        NetworkOrder.u32(frame, quoted + 24, quotedSequence);
        new Icmpv4Flyweight().wrapForWrite(frame, offset + 34, icmpBytes).type(Icmpv4Flyweight.TYPE_DESTINATION_UNREACHABLE)
                .code(code).restOfHeader(restOfHeader).fillChecksum();
        batch.length(0, 14 + 20 + icmpBytes);
        assertEquals(1, pair.b().transmit(0, batch));
    }

    @Test
    void aListenerAcceptsOverBothFamiliesOnOnePort() {
        start(Impairment.NONE);
        TcpListener ipv4Listener = server.listen(false, PORT, 4);
        TcpListener ipv6Listener = server.listen(true, PORT, 4);
        assertNotNull(ipv4Listener);
        TcpConnection overIpv4 = client.connect(address(false, SERVER_IP, null), PORT, null);
        TcpConnection overIpv6 = client.connect(address(true, 0, SERVER_IP6), PORT, null);
        runUntil(() -> ipv4Listener.acceptQueueLength() == 1 && ipv6Listener.acceptQueueLength() == 1, 2_000, "both accepted");
        assertEquals(TcpState.ESTABLISHED, overIpv4.state());
        assertEquals(TcpState.ESTABLISHED, overIpv6.state());
        assertTrue(overIpv4.endpoints().localPort() != overIpv6.endpoints().localPort(), "distinct ephemeral ports");
    }
}
