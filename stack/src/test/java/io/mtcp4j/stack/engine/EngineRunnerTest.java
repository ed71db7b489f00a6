package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two engines on their own threads with the real clock and the spin-then-park idle strategy:
 * the application runs in connection handlers on the engine threads, as this version requires.
 */
class EngineRunnerTest {
    @Test
    void twoRunningEnginesMoveDataAndStop() throws Exception {
        byte[] data = new byte[256 * 1024];
        new Random(9).nextBytes(data);
        try (LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("runner"))) {
            long start = System.nanoTime();
            Engine client = new Engine(EngineConfig.of(StackAddresses.of(pair.a().macAddress(),
                    Ipv4Address.parse("10.0.0.1"), 24, Ipv6Address.UNSPECIFIED, 0)), pair.a(), 0, start);
            Engine server = new Engine(EngineConfig.of(StackAddresses.of(pair.b().macAddress(),
                    Ipv4Address.parse("10.0.0.2"), 24, Ipv6Address.UNSPECIFIED, 0)), pair.b(), 0, start);
            TcpListener listener = server.listen(false, 7000, 4);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            CountDownLatch done = new CountDownLatch(1);
            byte[] buffer = new byte[16 * 1024];
            server.defaultHandler((connection, events) -> {
                while (listener.accept() != null) {
                    // accepted; its events arrive here too
                }
                int read;
                while ((read = server.read(connection, buffer, 0, buffer.length)) > 0) {
                    received.write(buffer, 0, read);
                }
                if (received.size() == data.length) {
                    done.countDown();
                }
            });
            int[] sent = {0};
            client.connect(InetAddress.getByName("10.0.0.2"), 7000, (connection, events) -> {
                if ((events & (TcpConnection.EVENT_CONNECTED | TcpConnection.EVENT_WRITABLE)) != 0 && sent[0] < data.length) {
                    sent[0] += client.write(connection, data, sent[0], data.length - sent[0]);
                }
            });
            EngineRunner clientRunner = new EngineRunner(client);
            EngineRunner serverRunner = new EngineRunner(server);
            Thread clientThread = Thread.ofPlatform().name("engine-client").start(clientRunner);
            Thread serverThread = Thread.ofPlatform().name("engine-server").start(serverRunner);
            try {
                assertTrue(done.await(30, TimeUnit.SECONDS), "all bytes arrived");
            } finally {
                clientRunner.stop();
                serverRunner.stop();
                clientThread.join(5_000);
                serverThread.join(5_000);
            }
            assertFalse(clientThread.isAlive(), "the client engine stopped");
            assertFalse(serverThread.isAlive(), "the server engine stopped");
            assertArrayEquals(data, received.toByteArray());
        }
    }
}
