package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.tcp.RingPool;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.tcp.TcpState;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An engine's connections take their rings from the engine's {@link RingPool} and give them back:
 * one request and response per connection, the server closing first, as an HTTP server does.
 * Two engines over a linked pair, stepped in one thread with an injected clock.
 */
class EngineRingPoolTest {
    private static final long STEP_NS = 50_000;
    private static final int PORT = 5000;
    private static final int CLIENT_IP = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER_IP = Ipv4Address.parse("10.0.0.2");

    private long nowNs = 1_000_000_000L;
    private LoopDevice.Pair pair;
    private Engine client;
    private Engine server;
    private TcpListener listener;
    private final byte[] request = "GET / HTTP/1.1\r\n\r\n".getBytes();
    private final byte[] response = "HTTP/1.1 204 No Content\r\n\r\n".getBytes();

    @AfterEach
    void closeDevices() {
        if (pair != null) {
            pair.close();
        }
    }

    private void start(EngineConfig clientConfig, EngineConfig serverConfig) {
        client = new Engine(clientConfig, pair.a(), 0, nowNs);
        server = new Engine(serverConfig, pair.b(), 0, nowNs);
        server.defaultHandler((connection, events) -> { });
        listener = server.listen(false, PORT, 16);
    }

    private EngineConfig config(int ip, long macAddress) {
        return EngineConfig.of(StackAddresses.of(macAddress, ip, 24, Ipv6Address.UNSPECIFIED, 0));
    }

    private void step() {
        nowNs += STEP_NS;
        client.doWork(nowNs);
        server.doWork(nowNs);
    }

    private void runUntil(BooleanSupplier done, String what) {
        for (int i = 0; i < 20_000; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            step();
        }
        throw new AssertionError("not done: " + what + "\nclient " + client.counters() + "\nserver " + server.counters());
    }

    /** Connect, request, response, the server closes, the client reads the end and closes; returns the server's side. */
    private TcpConnection transaction() throws Exception {
        TcpConnection clientSide = client.connect(InetAddress.getByName("10.0.0.2"), PORT, (c, events) -> { });
        TcpConnection[] accepted = new TcpConnection[1];
        runUntil(() -> (accepted[0] = listener.accept()) != null && clientSide.state() == TcpState.ESTABLISHED, "handshake");
        TcpConnection serverSide = accepted[0];
        client.write(clientSide, request, 0, request.length);
        byte[] buffer = new byte[256];
        runUntil(() -> serverSide.readableBytes() == request.length, "request");
        assertEquals(request.length, server.read(serverSide, buffer, 0, buffer.length));
        server.write(serverSide, response, 0, response.length);
        server.close(serverSide);
        runUntil(() -> clientSide.readableBytes() == response.length, "response");
        assertEquals(response.length, client.read(clientSide, buffer, 0, buffer.length));
        assertArrayEquals(response, Arrays.copyOf(buffer, response.length));
        runUntil(clientSide::isEndOfStream, "the server's FIN");
        client.close(clientSide);
        runUntil(() -> clientSide.state() == TcpState.CLOSED && serverSide.state() == TcpState.TIME_WAIT, "close");
        return serverSide;
    }

    @Test
    void connectionsInTimeWaitHoldNoRingsAndLaterConnectionsReuseThem() throws Exception {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("rings"));
        start(config(CLIENT_IP, pair.a().macAddress()), config(SERVER_IP, pair.b().macAddress()));
        List<TcpConnection> timeWait = new ArrayList<>();
        int transactions = 50;
        for (int i = 0; i < transactions; i++) {
            timeWait.add(transaction());
            assertEquals(0, server.ringPool().ringsInUse(), "the server's TIME_WAIT connections hold no ring");
            assertEquals(0, client.ringPool().ringsInUse(), "the client's closed connection holds no ring");
        }
        for (TcpConnection connection : timeWait) {
            assertEquals(TcpState.TIME_WAIT, connection.state(), "2 MSL is 60 s; " + transactions + " transactions took less");
        }
        assertEquals(transactions, server.flowCount(), "every TIME_WAIT connection is still in the flow table");
        // One connection at a time: two rings each side, made once and reused by every later connection.
        for (Engine engine : List.of(client, server)) {
            RingPool pool = engine.ringPool();
            assertEquals(2, pool.ringsCreated(), pool.toString());
            assertEquals(2L * (transactions - 1), pool.ringsReused(), pool.toString());
            assertEquals(2L * transactions, pool.ringsRecycled(), pool.toString());
            assertEquals(2L * TcpConfig.defaults().receiveBufferBytes(), pool.idleBytes(), pool.toString());
        }
        assertEquals(0, server.counters().totalDrops(), server.counters().toString());
        assertEquals(0, client.counters().totalDrops(), client.counters().toString());
    }

    @Test
    void theIdleLimitComesFromTheEngineConfig() throws Exception {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("rings-limit"));
        int ringBytes = TcpConfig.defaults().receiveBufferBytes();
        start(config(CLIENT_IP, pair.a().macAddress()).withRingPoolIdleBytes(0),
                config(SERVER_IP, pair.b().macAddress()).withRingPoolIdleBytes(ringBytes));
        transaction();
        transaction();
        assertEquals(0, client.ringPool().maxIdleBytes());
        assertEquals(4, client.ringPool().ringsCreated(), "nothing kept idle: each connection's rings are new");
        assertEquals(4, client.ringPool().ringsDiscarded());
        assertEquals(3, server.ringPool().ringsCreated(), "one ring kept idle, reused by the second connection");
        assertEquals(ringBytes, server.ringPool().idleBytes());
        assertTrue(server.ringPool().ringsDiscarded() > 0);
    }
}
