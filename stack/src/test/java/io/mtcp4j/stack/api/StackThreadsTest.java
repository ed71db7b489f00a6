package io.mtcp4j.stack.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnectionInfo;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stack API with engines on their own threads and the application on others: data crosses
 * threads only through the SPSC rings and the engines' MPSC command queues, and blocking waits
 * and subscribers are woken by engine events.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StackThreadsTest {
    private static final int CLIENT_IP = Ipv4Address.parse("10.1.0.1");
    private static final int SERVER_IP = Ipv4Address.parse("10.1.0.2");
    private static final long WAIT_SECONDS = 30;

    private LoopDevice.Pair pair;
    private Stack client;
    private Stack server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void start() {
        pair = LoopDevice.pair(LoopDevice.Options.defaults("threads").withQueues(Math.max(clientEngines(), serverEngines())));
        TcpConfig tcp = TcpConfig.defaults().with(b -> b.timeWaitNs(100_000_000L));
        client = Stack.builder().name("client").engines(clientEngines()).device(pair.a()).config(EngineConfig.of(StackAddresses.of(
                pair.a().macAddress(), CLIENT_IP, 24, Ipv6Address.parse("fd01::1"), 64)).withTcp(tcp)).start();
        server = Stack.builder().name("server").engines(serverEngines()).device(pair.b()).config(EngineConfig.of(StackAddresses.of(
                pair.b().macAddress(), SERVER_IP, 24, Ipv6Address.parse("fd01::2"), 64)).withTcp(tcp)).start();
    }

    int clientEngines() {
        return 1;
    }

    int serverEngines() {
        return 1;
    }

    static long sum(Stack stack, java.util.function.ToLongFunction<io.mtcp4j.stack.engine.EngineCounters> counter) {
        long total = 0;
        for (int i = 0; i < stack.engineCount(); i++) {
            total += counter.applyAsLong(stack.counters(i));
        }
        return total;
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
        client.close();
        server.close();
        pair.close();
    }

    private static InetSocketAddress serverAddress(int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 1, 0, 2}), port);
    }

    /** Blocking helpers over the non-blocking API, as the provider's blocking channels work. */
    private static StackSocket connect(Stack stack, InetSocketAddress remote) throws IOException {
        StackSocket socket = stack.openSocket();
        socket.connect(remote);
        while (!socket.finishConnect()) {
            socket.awaitReady(Readiness.CONNECT, WAIT_SECONDS, TimeUnit.SECONDS);
        }
        return socket;
    }

    private static StackSocket accept(StackServerSocket listener) throws IOException {
        StackSocket socket;
        while ((socket = listener.accept()) == null) {
            if (listener.awaitReady(Readiness.ACCEPT, WAIT_SECONDS, TimeUnit.SECONDS) == 0 && !listener.isOpen()) {
                return null;
            }
        }
        return socket;
    }

    private static void writeFully(StackSocket socket, ByteBuffer source) throws IOException {
        while (source.hasRemaining()) {
            if (socket.write(source) == 0) {
                assertNotEquals(0, socket.awaitReady(Readiness.WRITE, WAIT_SECONDS, TimeUnit.SECONDS), "no room to write for 30 s");
            }
        }
    }

    /** Reads until {@code target} is full or end of stream; returns bytes read. */
    private static int readFully(StackSocket socket, ByteBuffer target) throws IOException {
        int total = 0;
        while (target.hasRemaining()) {
            int n = socket.read(target);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                assertNotEquals(0, socket.awaitReady(Readiness.READ, WAIT_SECONDS, TimeUnit.SECONDS), "nothing to read for 30 s");
            }
            total += Math.max(n, 0);
        }
        return total;
    }

    private static byte[] sha256(byte[] data, int offset, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data, offset, length);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bulkBothWaysAtOnceArrivesIntact() throws Exception {
        int size = 32 << 20;
        byte[] up = new byte[size];
        byte[] down = new byte[size];
        new Random(1).nextBytes(up);
        new Random(2).nextBytes(down);
        StackServerSocket listener = server.openServerSocket().bind(new InetSocketAddress(9000), 8);
        Future<byte[]> serverSide = threads.submit(() -> {
            StackSocket socket = accept(listener);
            Future<?> sending = threads.submit(() -> {
                writeFully(socket, ByteBuffer.wrap(down));
                socket.shutdownOutput();
                return null;
            });
            ByteBuffer received = ByteBuffer.allocate(size);
            assertEquals(size, readFully(socket, received));
            assertEquals(0, readFully(socket, ByteBuffer.allocate(1)), "end of stream after the data"); // waits for the FIN
            sending.get();
            socket.close();
            return received.array();
        });
        StackSocket socket = connect(client, serverAddress(9000));
        Future<?> sending = threads.submit(() -> {
            writeFully(socket, ByteBuffer.wrap(up));
            socket.shutdownOutput();
            return null;
        });
        ByteBuffer received = ByteBuffer.allocate(size);
        assertEquals(size, readFully(socket, received));
        sending.get();
        TcpConnectionInfo info = socket.info().get(WAIT_SECONDS, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (info.bytesAcked() < size && System.nanoTime() < deadline) { // the last window may still be in flight
            Thread.sleep(1);
            info = socket.info().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        assertEquals(size, info.bytesAcked(), "every byte sent was acknowledged");
        assertEquals(size, info.bytesReceived());
        assertTrue(info.smoothedRttNs() > 0);
        socket.close();
        assertArrayEquals(sha256(down, 0, size), sha256(received.array(), 0, size));
        assertArrayEquals(sha256(up, 0, size), sha256(serverSide.get(), 0, size));
        assertTrue(sum(client, c -> c.segmentsSent()) > size / 65536, "the stack carried the bytes");
        assertTrue(sum(client, c -> c.commandsRun()) > 0, "writes reached the engine as notices");
    }

    @Test
    void manyClientThreadsAgainstAnEchoServer() throws Exception {
        StackServerSocket listener = server.openServerSocket().bind(new InetSocketAddress(9001), 64);
        AtomicBoolean serving = new AtomicBoolean(true);
        threads.submit(() -> {
            while (serving.get()) {
                StackSocket socket = accept(listener);
                if (socket == null) {
                    return null;
                }
                threads.submit(() -> {
                    ByteBuffer buffer = ByteBuffer.allocate(8192);
                    while (true) {
                        buffer.clear();
                        int n = socket.read(buffer);
                        if (n < 0) {
                            break;
                        }
                        if (n == 0) {
                            socket.awaitReady(Readiness.READ, WAIT_SECONDS, TimeUnit.SECONDS);
                            continue;
                        }
                        buffer.flip();
                        writeFully(socket, buffer);
                    }
                    socket.close();
                    return null;
                });
            }
            return null;
        });
        List<Future<Integer>> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            clients.add(threads.submit(() -> {
                Random random = new Random(seed);
                int done = 0;
                for (int i = 0; i < 25; i++) {
                    byte[] message = new byte[1 + random.nextInt(40_000)];
                    random.nextBytes(message);
                    StackSocket socket = connect(client, serverAddress(9001));
                    writeFully(socket, ByteBuffer.wrap(message));
                    socket.shutdownOutput();
                    ByteBuffer echo = ByteBuffer.allocate(message.length);
                    assertEquals(message.length, readFully(socket, echo));
                    assertArrayEquals(message, echo.array());
                    assertEquals(0, readFully(socket, ByteBuffer.allocate(1)), "end of stream after the echo");
                    socket.close();
                    done++;
                }
                return done;
            }));
        }
        for (Future<Integer> f : clients) {
            assertEquals(25, f.get());
        }
        serving.set(false);
        listener.close();
        assertEquals(100, sum(server, c -> c.passiveOpens()));
        assertEquals(100, sum(client, c -> c.activeOpens()));
        if (client.engineCount() > 1) {
            for (int i = 0; i < client.engineCount(); i++) {
                assertTrue(client.counters(i).activeOpens() > 0, "engine " + i + " opened connections");
            }
        }
    }

    /** A selector in miniature: one thread drives many non-blocking sockets from subscriber events. */
    @Test
    void oneThreadDrivesManySocketsFromReadinessEvents() throws Exception {
        int connections = 64;
        int bytesEach = 100_000;
        StackServerSocket listener = server.openServerSocket().bind(new InetSocketAddress(9002), connections);
        Future<Long> sink = threads.submit(() -> {
            long total = 0;
            for (int i = 0; i < connections; i++) {
                StackSocket socket = accept(listener);
                ByteBuffer buffer = ByteBuffer.allocate(bytesEach);
                total += readFully(socket, buffer);
                socket.close();
            }
            return total;
        });

        ConcurrentLinkedQueue<StackChannel> readyQueue = new ConcurrentLinkedQueue<>();
        Thread selector = Thread.currentThread();
        int[] wakeups = new int[1];
        ReadinessSubscriber subscriber = new ReadinessSubscriber() {
            @Override
            public void ready(StackChannel channel, int readyOps) {
                readyQueue.add(channel);
            }

            @Override
            public void wakeup() {
                wakeups[0]++;
                LockSupport.unpark(selector);
            }
        };
        List<StackSocket> sockets = new ArrayList<>();
        List<ByteBuffer> pending = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            StackSocket socket = client.openSocket();
            socket.subscribe(subscriber);
            socket.attach(i);
            socket.connect(serverAddress(9002));
            sockets.add(socket);
            byte[] data = new byte[bytesEach];
            new Random(i).nextBytes(data);
            pending.add(ByteBuffer.wrap(data));
        }
        int finished = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (finished < connections) {
            assertTrue(System.nanoTime() < deadline, "stuck with " + finished + " finished");
            // Level-triggered: look at every socket a ready call named, and at all of them now and then.
            StackChannel channel;
            boolean any = false;
            while ((channel = readyQueue.poll()) != null) {
                any = true;
                finished += drive((StackSocket) channel, pending.get((Integer) channel.attachment()));
            }
            if (!any) {
                LockSupport.parkNanos(10_000_000L);
            }
        }
        assertEquals((long) connections * bytesEach, sink.get());
        assertTrue(wakeups[0] > 0);
        assertTrue(wakeups[0] <= sum(client, c -> c.loops()), "at most one wakeup per engine loop");
        listener.close();
    }

    /** Returns 1 when this socket just finished sending. */
    private static int drive(StackSocket socket, ByteBuffer data) throws IOException {
        if (!socket.isOpen()) {
            return 0;
        }
        if (socket.isConnectionPending() && !socket.finishConnect()) {
            return 0;
        }
        socket.write(data);
        if (!data.hasRemaining()) {
            socket.close();
            return 1;
        }
        return 0;
    }

    @Test
    void boundClientsConnectWhereverTheirFourTupleIsSteered() throws Exception {
        StackServerSocket listener = server.openServerSocket().bind(new InetSocketAddress(9003), 64);
        for (int i = 0; i < 16; i++) { // one at a time, so the accepted connection is this one
            StackSocket socket = client.openSocket().bind(new InetSocketAddress(50_000 + i));
            socket.connect(serverAddress(9003));
            while (!socket.finishConnect()) {
                socket.awaitReady(Readiness.CONNECT, WAIT_SECONDS, TimeUnit.SECONDS);
            }
            StackSocket accepted = accept(listener);
            writeFully(socket, ByteBuffer.wrap(new byte[] {(byte) i}));
            ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, readFully(accepted, one));
            assertEquals(50_000 + i, accepted.remoteAddress().getPort());
            socket.close();
            accepted.close();
        }
        assertEquals(16, sum(client, c -> c.activeOpens()));
        listener.close();
    }

    @Test
    void countersAreReadableWhileTheEnginesRun() throws Exception {
        long before = client.counters(0).loops();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.counters(0).loops() == before) {
            assertTrue(System.nanoTime() < deadline, "the engine's loop counter never moved");
            Thread.sleep(1);
        }
        assertThrows(IllegalStateException.class, () -> client.runOnce(0), "a threaded stack is not stepped by hand");
    }
}
