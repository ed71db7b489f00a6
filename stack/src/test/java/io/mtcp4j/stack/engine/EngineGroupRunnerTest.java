package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two groups of four engines, each engine on its own thread with the real clock, over devices
 * that hide their steering, so that most segments cross threads through the hand-off queues and
 * an idle engine must be woken by the engine handing it a frame (the thread-crossing part of
 * {@link EngineGroupTest}).
 */
class EngineGroupRunnerTest {
    private static final int ENGINES = 4;
    private static final int CONNECTIONS_PER_ENGINE = 4;
    private static final int BYTES_PER_CONNECTION = 64 * 1024;
    private static final int PORT = 7000;

    private static byte[] data(int clientPort) {
        byte[] bytes = new byte[BYTES_PER_CONNECTION];
        new Random(clientPort).nextBytes(bytes);
        return bytes;
    }

    @Test
    void runningGroupsHandFramesAcrossThreads() throws Exception {
        try (LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("runners").withQueues(ENGINES))) {
            long start = System.nanoTime();
            TcpConfig tcp = TcpConfig.defaults().with(b -> b.sendBufferBytes(64 * 1024).receiveBufferBytes(64 * 1024));
            EngineGroup clients = new EngineGroup(EngineConfig.of(StackAddresses.of(pair.a().macAddress(),
                    Ipv4Address.parse("10.0.0.1"), 24, Ipv6Address.UNSPECIFIED, 0)).withTcp(tcp).withEngines(ENGINES),
                    new HiddenSteeringDevice(pair.a()), start);
            EngineGroup servers = new EngineGroup(EngineConfig.of(StackAddresses.of(pair.b().macAddress(),
                    Ipv4Address.parse("10.0.0.2"), 24, Ipv6Address.UNSPECIFIED, 0)).withTcp(tcp).withEngines(ENGINES),
                    new HiddenSteeringDevice(pair.b()), start);
            List<TcpListener> listeners = servers.listen(false, PORT, 64);

            // Server side: each engine thread reads its accepted connections and checks their bytes.
            Map<TcpConnection, byte[]> receivedSoFar = new ConcurrentHashMap<>();
            Map<TcpConnection, Integer> receivedCount = new ConcurrentHashMap<>();
            CountDownLatch verified = new CountDownLatch(ENGINES * CONNECTIONS_PER_ENGINE);
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < ENGINES; i++) {
                Engine engine = servers.engine(i);
                TcpListener listener = listeners.get(i);
                byte[] buffer = new byte[16 * 1024];
                engine.defaultHandler((connection, events) -> {
                    while (listener.accept() != null) {
                        // accepted; its events arrive here
                    }
                    byte[] received = receivedSoFar.computeIfAbsent(connection, c -> new byte[BYTES_PER_CONNECTION]);
                    int count = receivedCount.getOrDefault(connection, 0);
                    int read;
                    while ((read = engine.read(connection, buffer, 0, buffer.length)) > 0) {
                        int fits = Math.min(read, BYTES_PER_CONNECTION - count);
                        System.arraycopy(buffer, 0, received, count, fits);
                        count += read;
                    }
                    receivedCount.put(connection, count);
                    if (read < 0 || count == BYTES_PER_CONNECTION) {
                        if (count != BYTES_PER_CONNECTION || !Arrays.equals(received, data(connection.endpoints().remotePort()))) {
                            failures.add(connection.endpoints() + ": " + count + " bytes");
                        }
                        if (read >= 0) {
                            engine.close(connection);
                        }
                        verified.countDown();
                    }
                });
            }

            // Client side: connections opened before the threads start, written from their handlers.
            for (int i = 0; i < ENGINES; i++) {
                Engine engine = clients.engine(i);
                for (int k = 0; k < CONNECTIONS_PER_ENGINE; k++) {
                    int[] sent = {0};
                    byte[][] payload = {null};
                    engine.connect(InetAddress.getByName("10.0.0.2"), PORT, (connection, events) -> {
                        if (payload[0] == null) {
                            payload[0] = data(connection.endpoints().localPort());
                        }
                        if ((events & (TcpConnection.EVENT_CONNECTED | TcpConnection.EVENT_WRITABLE)) != 0
                                && sent[0] < BYTES_PER_CONNECTION) {
                            sent[0] += engine.write(connection, payload[0], sent[0], BYTES_PER_CONNECTION - sent[0]);
                        }
                        if ((events & TcpConnection.EVENT_READABLE) != 0 && engine.read(connection, new byte[1], 0, 1) < 0) {
                            engine.close(connection);
                        }
                    });
                }
            }

            List<EngineRunner> runners = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (EngineGroup group : List.of(clients, servers)) {
                for (Engine engine : group.engines()) {
                    EngineRunner runner = new EngineRunner(engine);
                    runners.add(runner);
                    threads.add(Thread.ofPlatform().name("engine-" + engine.config().addresses().ipv4Address() + "-" + engine.index())
                            .start(runner));
                }
            }
            try {
                assertTrue(verified.await(60, TimeUnit.SECONDS), "every connection's bytes arrived: " + verified.getCount() + " left");
            } finally {
                runners.forEach(EngineRunner::stop);
                for (Thread thread : threads) {
                    thread.join(5_000);
                }
            }
            for (Thread thread : threads) {
                assertFalse(thread.isAlive(), thread.getName() + " stopped");
            }
            assertEquals(List.of(), failures);
            long handedOff = 0;
            long takenOver = 0;
            for (EngineGroup group : List.of(clients, servers)) {
                for (Engine engine : group.engines()) {
                    handedOff += engine.counters().framesHandedOff();
                    takenOver += engine.counters().framesTakenOver();
                }
            }
            assertTrue(handedOff > 100, "frames crossed threads: " + handedOff);
            assertTrue(takenOver > 100, "frames taken over: " + takenOver);
        }
    }
}
