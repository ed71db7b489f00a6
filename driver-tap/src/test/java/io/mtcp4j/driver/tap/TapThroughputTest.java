package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtcp4j.stack.api.Stack;
import io.mtcp4j.stack.api.StackServerSocket;
import io.mtcp4j.stack.api.StackSocket;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bulk throughput between the kernel and a {@link Stack} on a TAP interface, each way, with and
 * without checksum offload, IPv4 and IPv6: a measurement, run by name only
 * ({@code -Dtest=TapThroughputTest}; the module's surefire configuration excludes it from the
 * build's test run), not a test of correctness (the interop tests check the
 * bytes). Four set-ups (offload on/off x IPv4/IPv6), each its own interface, stack and one
 * connection from a kernel client to an mtcp4j server, all open at once; each round moves
 * 64 MiB up then 64 MiB down on every set-up in turn, so that JIT warm-up and the load of the
 * machine fall on all of them alike. Two warm-up rounds, then the median of the measured
 * rounds, each timed at the receiver from its first byte to its last. Prints a Markdown table
 * to the test's output.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class TapThroughputTest {
    private static final int BYTES = 64 << 20;
    private static final int CHUNK = 1 << 20;
    private static final int WARM_UP_ROUNDS = 2;
    private static final int ROUNDS = Integer.getInteger("mtcp4j.tap.rounds", 7);

    /** One interface, stack and connection. */
    private static final class Setup implements AutoCloseable {
        final boolean offloads;
        final boolean ipv6;
        final TestTap tap;
        final Stack stack;
        StackSocket serverSide;
        Socket client;
        final long[] upNs = new long[WARM_UP_ROUNDS + ROUNDS];
        final long[] downNs = new long[WARM_UP_ROUNDS + ROUNDS];

        Setup(boolean offloads, boolean ipv6) {
            this.offloads = offloads;
            this.ipv6 = ipv6;
            tap = TestTap.open(1, offloads);
            stack = Stack.builder().name("tput").device(tap.device)
                    .config(EngineConfig.of(StackAddresses.of(tap.device.macAddress(), tap.stackIpv4Bits(), 24,
                            Ipv6Address.parse(tap.stackIpv6), 64)))
                    .start();
        }

        void connect(ExecutorService threads) throws Exception {
            StackServerSocket listener = stack.openServerSocket().bind(new InetSocketAddress(8_000), 4);
            Future<StackSocket> accepted = threads.submit(() -> StackIo.accept(listener));
            client = new Socket();
            client.connect(new InetSocketAddress(tap.stackAddress(ipv6), 8_000), 5_000);
            client.setSoTimeout(60_000);
            serverSide = accepted.get(30, TimeUnit.SECONDS);
            listener.close();
        }

        @Override
        public void close() throws IOException {
            try {
                if (client != null) {
                    client.close();
                }
                if (serverSide != null) {
                    serverSide.close();
                }
            } finally {
                try {
                    stack.close();
                } finally {
                    tap.close();
                }
            }
        }
    }

    @Test
    void bulkEachWayWithAndWithoutChecksumOffload() throws Exception {
        Privileges.requireNetAdmin();
        ExecutorService threads = Executors.newCachedThreadPool();
        List<Setup> setups = new ArrayList<>();
        try {
            for (boolean offloads : new boolean[] {true, false}) {
                for (boolean ipv6 : new boolean[] {false, true}) {
                    Setup setup = new Setup(offloads, ipv6);
                    setups.add(setup);
                    setup.connect(threads);
                }
            }
            ByteBuffer stackBuffer = ByteBuffer.allocateDirect(CHUNK);
            byte[] kernelBuffer = new byte[CHUNK];
            for (int round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
                for (Setup setup : setups) {
                    transfer(setup, round, threads, stackBuffer, kernelBuffer);
                }
            }
            System.out.println("| family | checksum offload | kernel -> mtcp4j MB/s (median, min-max) "
                    + "| mtcp4j -> kernel MB/s (median, min-max) |");
            System.out.println("|---|---|---|---|");
            for (Setup setup : setups) {
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", setup.ipv6 ? "IPv6" : "IPv4",
                        setup.offloads ? "on" : "off", summary(setup.upNs), summary(setup.downNs));
            }
        } finally {
            threads.shutdownNow();
            for (Setup setup : setups) {
                setup.close();
            }
        }
    }

    /** 64 MiB from the kernel client to the stack, then 64 MiB back, each timed at its receiver. */
    private static void transfer(Setup setup, int round, ExecutorService threads, ByteBuffer stackBuffer,
                                 byte[] kernelBuffer) throws Exception {
        byte[] sendChunk = new byte[CHUNK];
        Future<?> kernelSends = threads.submit(() -> {
            OutputStream out = setup.client.getOutputStream();
            for (long sent = 0; sent < BYTES; sent += CHUNK) {
                out.write(sendChunk);
            }
            return null;
        });
        long received = 0;
        long start = 0;
        while (received < BYTES) {
            stackBuffer.clear().limit((int) Math.min(CHUNK, BYTES - received));
            int n = StackIo.readFully(setup.serverSide, stackBuffer);
            if (start == 0) {
                start = System.nanoTime();
            }
            assertEquals(true, n > 0, "end of stream at the stack in round " + round);
            received += n;
        }
        setup.upNs[round] = System.nanoTime() - start;
        kernelSends.get(60, TimeUnit.SECONDS);

        Future<?> stackSends = threads.submit(() -> {
            ByteBuffer out = ByteBuffer.allocateDirect(CHUNK);
            for (long sent = 0; sent < BYTES; sent += CHUNK) {
                out.clear();
                StackIo.writeFully(setup.serverSide, out);
            }
            return null;
        });
        InputStream in = setup.client.getInputStream();
        received = 0;
        start = 0;
        while (received < BYTES) {
            int n = in.read(kernelBuffer, 0, (int) Math.min(CHUNK, BYTES - received));
            if (start == 0) {
                start = System.nanoTime();
            }
            assertEquals(true, n > 0, "end of stream at the kernel in round " + round);
            received += n;
        }
        setup.downNs[round] = System.nanoTime() - start;
        stackSends.get(60, TimeUnit.SECONDS);
    }

    /** Median and range of the measured rounds, in MB/s. */
    private static String summary(long[] roundNs) {
        double[] rates = new double[roundNs.length - WARM_UP_ROUNDS];
        for (int i = WARM_UP_ROUNDS; i < roundNs.length; i++) {
            rates[i - WARM_UP_ROUNDS] = BYTES / 1e6 / (roundNs[i] / 1e9);
        }
        Arrays.sort(rates);
        return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", rates[rates.length / 2], rates[0], rates[rates.length - 1]);
    }
}
