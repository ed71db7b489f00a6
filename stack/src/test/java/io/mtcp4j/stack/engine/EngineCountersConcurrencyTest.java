package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.net.InetAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link EngineCounters} read from a thread that is not the engine's, while two engines run on
 * their own threads ({@link EngineRunner}) and move data: every counter read never goes backwards,
 * and the traffic counters are seen to grow without stopping the engines.
 */
class EngineCountersConcurrencyTest {
    private static final int TRANSFER_BYTES = 4 << 20;

    private static final int LOOPS = 0;
    private static final int SEGMENTS_RECEIVED = 3;
    private static final int SEGMENTS_SENT = 4;
    private static final int ACTIVE_OPENS = 5;
    private static final int PASSIVE_OPENS = 6;
    private static final int DROPS = 8;

    /** The counters a reader watches, at the indices above: they only ever grow. */
    private static final ToLongFunction<EngineCounters>[] WATCHED = watched();

    @SuppressWarnings("unchecked")
    private static ToLongFunction<EngineCounters>[] watched() {
        return new ToLongFunction[] {
                (ToLongFunction<EngineCounters>) EngineCounters::loops,
                (ToLongFunction<EngineCounters>) EngineCounters::framesReceived,
                (ToLongFunction<EngineCounters>) EngineCounters::framesTransmitted,
                (ToLongFunction<EngineCounters>) EngineCounters::segmentsReceived,
                (ToLongFunction<EngineCounters>) EngineCounters::segmentsSent,
                (ToLongFunction<EngineCounters>) EngineCounters::activeOpens,
                (ToLongFunction<EngineCounters>) EngineCounters::passiveOpens,
                (ToLongFunction<EngineCounters>) EngineCounters::timersFired,
                (ToLongFunction<EngineCounters>) EngineCounters::totalDrops,
        };
    }

    @Test
    void countersReadFromAnotherThreadGrowMonotonicallyWhileTheEnginesRun() throws Exception {
        byte[] data = new byte[TRANSFER_BYTES];
        try (LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("counters"))) {
            long start = System.nanoTime();
            Engine client = new Engine(EngineConfig.of(StackAddresses.of(pair.a().macAddress(),
                    Ipv4Address.parse("10.0.0.1"), 24, Ipv6Address.UNSPECIFIED, 0)), pair.a(), 0, start);
            Engine server = new Engine(EngineConfig.of(StackAddresses.of(pair.b().macAddress(),
                    Ipv4Address.parse("10.0.0.2"), 24, Ipv6Address.UNSPECIFIED, 0)), pair.b(), 0, start);
            TcpListener listener = server.listen(false, 7000, 4);
            CountDownLatch done = new CountDownLatch(1);
            byte[] buffer = new byte[64 * 1024];
            long[] received = {0};
            server.defaultHandler((connection, events) -> {
                while (listener.accept() != null) {
                    // accepted; its events arrive here too
                }
                int read;
                while ((read = server.read(connection, buffer, 0, buffer.length)) > 0) {
                    received[0] += read;
                }
                if (received[0] == TRANSFER_BYTES) {
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
            long[][] last = new long[2][WATCHED.length];
            long segments = TRANSFER_BYTES / 1460; // fewer than the transfer takes at any MSS
            long readsWhileRunning = 0;
            long giveUpNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a broken engine must not hang the build
            try {
                // Read until the whole transfer has been seen from here: the counters of a loop are
                // published at its end, so the last ones may show a loop after the data arrived.
                while (done.getCount() > 0 || last[0][SEGMENTS_SENT] <= segments || last[1][SEGMENTS_RECEIVED] <= segments) {
                    assertTrue(System.nanoTime() < giveUpNs, "transfer not seen within 60 s: client "
                            + client.counters() + ", server " + server.counters());
                    readAndCompare(client.counters(), last[0]);
                    readAndCompare(server.counters(), last[1]);
                    readsWhileRunning++;
                    Thread.yield(); // the engines need the cores more than this reader
                }
            } finally {
                clientRunner.stop();
                serverRunner.stop();
                clientThread.join(10_000);
                serverThread.join(10_000);
            }
            assertFalse(clientThread.isAlive() || serverThread.isAlive(), "the engines stopped");
            assertTrue(readsWhileRunning > 1, "read while the engines ran");
            assertTrue(last[0][LOOPS] > 0 && last[1][LOOPS] > 0);
            assertEquals(1, last[0][ACTIVE_OPENS], "the client's active open");
            assertEquals(1, last[1][PASSIVE_OPENS], "the server's passive open");
            assertEquals(0, last[0][DROPS] + last[1][DROPS], "no drops on a clean link");
        }
    }

    /** Reads every watched counter and checks none went backwards since the last read. */
    private static void readAndCompare(EngineCounters counters, long[] last) {
        for (int i = 0; i < WATCHED.length; i++) {
            long value = WATCHED[i].applyAsLong(counters);
            if (value < last[i]) {
                throw new AssertionError("counter " + i + " went from " + last[i] + " back to " + value);
            }
            last[i] = value;
        }
    }
}
