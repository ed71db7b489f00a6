package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mtcp4j.stack.api.Stack;
import io.mtcp4j.stack.api.StackServerSocket;
import io.mtcp4j.stack.api.StackSocket;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.EngineCounters;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A whole mtcp4j {@link Stack} on a TAP interface, engines on their own threads, with the Linux
 * kernel as the peer through the JDK's own sockets in the same JVM: the kernel routes the
 * connections over the interface, so every byte crosses the user-level stack and the kernel's
 * TCP. Bulk transfers both ways with SHA-256 checks, curl against a tiny HTTP responder, refused
 * connections and resets. Needs CAP_NET_ADMIN (skips without it, fails without it under
 * CI=true).
 *
 * <p>Each bulk run prints its throughput (MB/s each way) to the test's output, the first TAP
 * figure of {@code docs/BENCHMARKS.md}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TapKernelInteropTest {
    private static final int BULK_BYTES = 64 << 20;
    private static final int PORT = 8_000;
    private static byte[] upData;
    private static byte[] downData;
    private static byte[] upDigest;
    private static byte[] downDigest;

    private TestTap tap;
    private OffloadCountingDevice device;
    private Stack stack;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void data() {
        upData = new byte[BULK_BYTES];
        downData = new byte[BULK_BYTES];
        new Random(7).nextBytes(upData);
        new Random(8).nextBytes(downData);
        upDigest = StackIo.sha256(upData, 0, BULK_BYTES);
        downDigest = StackIo.sha256(downData, 0, BULK_BYTES);
    }

    private void start(int queues, boolean offloads) {
        tap = TestTap.open(queues, offloads);
        device = new OffloadCountingDevice(tap.device);
        stack = Stack.builder().name("tap").device(device).engines(queues)
                .config(EngineConfig.of(StackAddresses.of(tap.device.macAddress(), tap.stackIpv4Bits(), 24,
                        Ipv6Address.parse(tap.stackIpv6), 64)))
                .start();
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            if (tap != null) {
                tap.close();
            }
        }
    }

    private long sum(ToLongFunction<EngineCounters> counter) {
        long total = 0;
        for (int i = 0; i < stack.engineCount(); i++) {
            total += counter.applyAsLong(stack.counters(i));
        }
        return total;
    }

    static Stream<Arguments> familiesAndOffloads() {
        return Stream.of(Arguments.of(false, true), Arguments.of(true, true),
                Arguments.of(false, false), Arguments.of(true, false));
    }

    private static String label(boolean ipv6, boolean offloads) {
        return (ipv6 ? "IPv6" : "IPv4") + ", checksum offload " + (offloads ? "on" : "off");
    }

    private static void report(String what, boolean ipv6, boolean offloads, long bytes, long nanos) {
        double megabytesPerSecond = bytes / 1e6 / (nanos / 1e9);
        System.out.printf(Locale.ROOT, "TAP bulk: %s, %s: %d MiB in %.0f ms = %.1f MB/s%n",
                what, label(ipv6, offloads), bytes >> 20, nanos / 1e6, megabytesPerSecond);
    }

    /** The kernel must hold no listening socket on {@code port}: the listener is mtcp4j's alone. */
    private static void assertKernelDoesNotListenOn(int port) {
        String listening = Commands.check("ss", "-Hltn", "sport = :" + port);
        assertTrue(listening.isBlank(), "the kernel listens on port " + port + ": " + listening);
    }

    private void assertOffloadsUsed(boolean offloads) {
        if (offloads) {
            assertTrue(device.transmittedPartial.sum() > 0, "segments left the stack with partial checksums");
            assertTrue(device.receivedPartial.sum() > 0, "the kernel's segments arrived with partial checksums");
        } else {
            assertEquals(0, device.transmittedPartial.sum(), "no partial checksums without offload");
            assertEquals(0, device.receivedPartial.sum() + device.receivedVerified.sum(),
                    "no checksum flags on received frames without offload");
        }
    }

    // ---- (b) bulk, kernel client -> mtcp4j server --------------------------------------------------------

    @ParameterizedTest(name = "{index}: ipv6={0}, offloads={1}")
    @MethodSource("familiesAndOffloads")
    void kernelClientSendsAndReceives64MiBThroughAStackServer(boolean ipv6, boolean offloads) throws Exception {
        start(1, offloads);
        StackServerSocket listener = stack.openServerSocket()
                .bind(new InetSocketAddress(tap.stackAddress(ipv6), PORT), 16);
        assertKernelDoesNotListenOn(PORT);
        Future<Long> server = threads.submit(() -> {
            StackSocket socket = StackIo.accept(listener);
            byte[] received = new byte[BULK_BYTES];
            ByteBuffer target = ByteBuffer.wrap(received);
            long start = System.nanoTime();
            int n = StackIo.readToEnd(socket, target);
            long upNs = System.nanoTime() - start;
            assertEquals(BULK_BYTES, n, "the stack received every byte and then the FIN");
            assertArrayEquals(upDigest, StackIo.sha256(received, 0, BULK_BYTES), "SHA-256 of what the kernel sent");
            StackIo.writeFully(socket, ByteBuffer.wrap(downData));
            socket.close();
            return upNs;
        });
        long downNs;
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(tap.stackAddress(ipv6), PORT), 5_000);
            client.setSoTimeout(30_000);
            assertEquals(tap.kernelAddress(ipv6), client.getLocalAddress(), "the kernel routed over the TAP interface");
            OutputStream out = client.getOutputStream();
            out.write(upData);
            client.shutdownOutput();
            byte[] received = new byte[BULK_BYTES];
            InputStream in = client.getInputStream();
            int total = 0;
            long start = 0;
            while (true) {
                int n = in.read(received, total, Math.min(1 << 20, BULK_BYTES - total));
                if (start == 0) {
                    start = System.nanoTime();
                }
                if (n < 0) {
                    break;
                }
                total += n;
                if (total == BULK_BYTES) {
                    assertEquals(-1, in.read(), "end of stream after the last byte");
                    break;
                }
            }
            downNs = System.nanoTime() - start;
            assertEquals(BULK_BYTES, total);
            assertArrayEquals(downDigest, StackIo.sha256(received, 0, BULK_BYTES), "SHA-256 of what the stack sent");
        }
        long upNs = server.get(120, TimeUnit.SECONDS);
        report("kernel client -> mtcp4j server", ipv6, offloads, BULK_BYTES, upNs);
        report("mtcp4j server -> kernel client", ipv6, offloads, BULK_BYTES, downNs);
        assertTrue(sum(EngineCounters::segmentsReceived) >= BULK_BYTES / 1460, "the stack received the segments");
        assertTrue(sum(EngineCounters::segmentsSent) >= BULK_BYTES / 1460, "the stack sent the segments");
        assertTrue(sum(EngineCounters::passiveOpens) >= 1);
        assertKernelDoesNotListenOn(PORT);
        assertOffloadsUsed(offloads);
        listener.close();
    }

    // ---- (b) bulk, mtcp4j client -> kernel server --------------------------------------------------------

    @ParameterizedTest(name = "{index}: ipv6={0}, offloads={1}")
    @MethodSource("familiesAndOffloads")
    void stackClientSendsAndReceives64MiBThroughAKernelServer(boolean ipv6, boolean offloads) throws Exception {
        start(1, offloads);
        try (ServerSocket kernelServer = new ServerSocket()) {
            kernelServer.bind(new InetSocketAddress(tap.kernelAddress(ipv6), 0));
            int port = kernelServer.getLocalPort();
            Future<Long> server = threads.submit(() -> {
                try (Socket socket = kernelServer.accept()) {
                    socket.setSoTimeout(30_000);
                    byte[] received = new byte[BULK_BYTES];
                    InputStream in = socket.getInputStream();
                    int total = 0;
                    long start = 0;
                    while (total < BULK_BYTES) {
                        int n = in.read(received, total, Math.min(1 << 20, BULK_BYTES - total));
                        if (start == 0) {
                            start = System.nanoTime();
                        }
                        if (n < 0) {
                            break;
                        }
                        total += n;
                    }
                    assertEquals(-1, in.read(), "the stack's FIN after the last byte");
                    long upNs = System.nanoTime() - start;
                    assertEquals(BULK_BYTES, total);
                    assertArrayEquals(upDigest, StackIo.sha256(received, 0, BULK_BYTES), "SHA-256 of what the stack sent");
                    socket.getOutputStream().write(downData);
                    return upNs;
                }
            });
            StackSocket client = StackIo.connect(stack, new InetSocketAddress(tap.kernelAddress(ipv6), port));
            assertEquals(tap.stackAddress(ipv6), client.localAddress().getAddress());
            StackIo.writeFully(client, ByteBuffer.wrap(upData));
            client.shutdownOutput();
            byte[] received = new byte[BULK_BYTES];
            long start = System.nanoTime();
            int n = StackIo.readToEnd(client, ByteBuffer.wrap(received));
            long downNs = System.nanoTime() - start;
            assertEquals(BULK_BYTES, n);
            assertArrayEquals(downDigest, StackIo.sha256(received, 0, BULK_BYTES), "SHA-256 of what the kernel sent");
            client.close();
            long upNs = server.get(120, TimeUnit.SECONDS);
            report("mtcp4j client -> kernel server", ipv6, offloads, BULK_BYTES, upNs);
            report("kernel server -> mtcp4j client", ipv6, offloads, BULK_BYTES, downNs);
        }
        assertTrue(sum(EngineCounters::activeOpens) >= 1);
        assertTrue(sum(EngineCounters::segmentsReceived) >= BULK_BYTES / 1460);
        assertTrue(sum(EngineCounters::segmentsSent) >= BULK_BYTES / 1460);
        assertOffloadsUsed(offloads);
    }

    // ---- several engines over a multi-queue interface ----------------------------------------------------

    @Test
    void twoEnginesOnTwoQueuesServeManyKernelConnectionsBothWays() throws Exception {
        start(2, true);
        StackServerSocket listener = stack.openServerSocket().bind(new InetSocketAddress(PORT), 64);
        threads.submit(() -> {
            while (true) {
                StackSocket socket = StackIo.accept(listener);
                if (socket == null) {
                    return null;
                }
                threads.submit(() -> {
                    ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
                    int n = StackIo.readToEnd(socket, buffer);
                    buffer.flip();
                    assertTrue(n >= 0);
                    StackIo.writeFully(socket, buffer); // echo
                    socket.close();
                    return null;
                });
            }
        });
        int connections = 16;
        int bytesEach = 1 << 20;
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            boolean ipv6 = c % 2 == 1;
            int seed = c;
            clients.add(threads.submit(() -> {
                byte[] data = new byte[bytesEach];
                new Random(seed).nextBytes(data);
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress(tap.stackAddress(ipv6), PORT), 5_000);
                    client.setSoTimeout(30_000);
                    client.getOutputStream().write(data);
                    client.shutdownOutput();
                    byte[] echoed = client.getInputStream().readAllBytes();
                    assertArrayEquals(data, echoed, "connection " + seed + " echoed intact");
                }
                return null;
            }));
        }
        for (Future<?> client : clients) {
            client.get(120, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 2; i++) {
            assertTrue(stack.counters(i).framesReceived() > 0, "engine " + i + " received on its queue");
        }
        assertTrue(sum(EngineCounters::passiveOpens) == connections, "passive opens " + sum(EngineCounters::passiveOpens));
        listener.close();
    }

    // ---- (c) curl ----------------------------------------------------------------------------------------

    @Test
    void curlFetchesFromAnHttpResponderOnTheStack() throws Exception {
        Privileges.requireCommand("curl", "curl");
        start(1, true);
        StackServerSocket listener = stack.openServerSocket().bind(new InetSocketAddress(PORT), 16);
        byte[] large = new byte[1 << 20];
        new Random(3).nextBytes(large);
        threads.submit(() -> {
            while (true) {
                StackSocket socket = StackIo.accept(listener);
                if (socket == null) {
                    return null;
                }
                threads.submit(() -> {
                    respond(socket, large);
                    return null;
                });
            }
        });
        for (boolean ipv6 : new boolean[] {false, true}) {
            String host = ipv6 ? "[" + tap.stackIpv6 + "]" : tap.stackIpv4;
            Commands.Result hello = Commands.run("curl", "-sS", "-g", "--max-time", "20", "-w", "%{http_code} %{remote_ip}",
                    "http://" + host + ":" + PORT + "/hello");
            assertEquals(0, hello.exitCode(), hello.toString());
            assertEquals("hello from mtcp4j over TAP\n200 " + (ipv6 ? tap.stackIpv6 : tap.stackIpv4), hello.stdout());
            java.nio.file.Path file = java.nio.file.Files.createTempFile("mtcp4j-curl", ".bin");
            try {
                Commands.Result big = Commands.run("curl", "-sS", "-g", "--max-time", "20", "-o", file.toString(),
                        "-w", "%{http_code} %{size_download}", "http://" + host + ":" + PORT + "/large");
                assertEquals(0, big.exitCode(), big.toString());
                assertEquals("200 " + large.length, big.stdout());
                assertArrayEquals(StackIo.sha256(large, 0, large.length),
                        StackIo.sha256(java.nio.file.Files.readAllBytes(file), 0, large.length));
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
        assertKernelDoesNotListenOn(PORT);
        listener.close();
    }

    /** A tiny HTTP/1.1 responder: reads the request head, answers /hello or /large, closes. */
    private static void respond(StackSocket socket, byte[] large) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(8192);
        while (true) {
            if (StackIo.readFully(socket, request.limit(request.position() + 1)) <= 0) {
                socket.close();
                return;
            }
            String head = new String(request.array(), 0, request.position(), StandardCharsets.ISO_8859_1);
            if (head.endsWith("\r\n\r\n")) {
                String path = head.split(" ", 3)[1];
                byte[] body = path.equals("/large") ? large
                        : "hello from mtcp4j over TAP\n".getBytes(StandardCharsets.US_ASCII);
                String status = path.equals("/large") || path.equals("/hello") ? "200 OK" : "404 Not Found";
                byte[] header = ("HTTP/1.1 " + status + "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                StackIo.writeFully(socket, ByteBuffer.wrap(header));
                StackIo.writeFully(socket, ByteBuffer.wrap(body));
                socket.close();
                return;
            }
            if (!request.hasRemaining() && request.position() == request.capacity()) {
                socket.close();
                return;
            }
        }
    }

    // ---- (d) refused connections and resets --------------------------------------------------------------

    @Test
    void aSynToAClosedStackPortIsRefused() {
        start(1, true);
        for (boolean ipv6 : new boolean[] {false, true}) {
            ConnectException e = assertThrows(ConnectException.class, () -> {
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress(tap.stackAddress(ipv6), 9), 10_000);
                }
            });
            assertTrue(e.getMessage().startsWith("Connection refused"), e.getMessage());
        }
        assertTrue(sum(EngineCounters::resetsSent) >= 2, "the stack answered both SYNs with RST");
    }

    @Test
    void aStackConnectToAClosedKernelPortIsRefused() throws Exception {
        start(1, true);
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, tap.kernelAddress(false))) {
            closedPort = probe.getLocalPort();
        }
        for (boolean ipv6 : new boolean[] {false, true}) {
            StackSocket socket = stack.openSocket();
            socket.connect(new InetSocketAddress(tap.kernelAddress(ipv6), closedPort));
            ConnectException e = assertThrows(ConnectException.class, () -> {
                while (!socket.finishConnect()) {
                    socket.awaitReady(io.mtcp4j.stack.api.Readiness.CONNECT, StackIo.WAIT_SECONDS, TimeUnit.SECONDS);
                }
            });
            assertEquals("Connection refused", e.getMessage());
            socket.close();
        }
    }

    @Test
    void anAbortiveKernelCloseIsAConnectionResetForTheStack() throws Exception {
        start(1, true);
        StackServerSocket listener = stack.openServerSocket().bind(new InetSocketAddress(PORT), 16);
        for (boolean ipv6 : new boolean[] {false, true}) {
            Future<StackSocket> accepted = threads.submit(() -> StackIo.accept(listener));
            byte[] before = "bytes before the reset".getBytes(StandardCharsets.US_ASCII);
            StackSocket socket;
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(tap.stackAddress(ipv6), PORT), 5_000);
                client.getOutputStream().write(before);
                // Reset only once the stack has accepted: a connection reset while still in its
                // accept queue is dropped there (Linux would hand it to accept, reset).
                socket = accepted.get(30, TimeUnit.SECONDS);
                client.setSoLinger(true, 0);
            } // close with linger 0: RST
            ByteBuffer buffer = ByteBuffer.allocate(before.length);
            assertEquals(before.length, StackIo.readFully(socket, buffer), "the bytes sent before the RST are read first");
            assertArrayEquals(before, buffer.array());
            SocketException e = assertThrows(SocketException.class, () -> {
                ByteBuffer more = ByteBuffer.allocate(16);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    if (socket.read(more) < 0) {
                        fail("end of stream instead of a reset");
                    }
                    socket.awaitReady(io.mtcp4j.stack.api.Readiness.READ, 1, TimeUnit.SECONDS);
                }
            });
            assertEquals("Connection reset", e.getMessage());
            socket.close();
        }
        listener.close();
    }

    @Test
    void anAbortiveStackCloseIsAConnectionResetForTheKernel() throws Exception {
        start(1, true);
        try (ServerSocket kernelServer = new ServerSocket(0, 4, tap.kernelAddress(false))) {
            Future<Socket> accepted = threads.submit(() -> kernelServer.accept());
            StackSocket client = StackIo.connect(stack, new InetSocketAddress(tap.kernelAddress(false), kernelServer.getLocalPort()));
            try (Socket peer = accepted.get(30, TimeUnit.SECONDS)) {
                peer.setSoTimeout(30_000);
                client.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                client.close();
                SocketException e = assertThrows(SocketException.class, () -> peer.getInputStream().read());
                assertEquals("Connection reset", e.getMessage());
            }
        }
    }

    @Test
    void aKernelHalfCloseStillReceivesTheStacksReply() throws Exception {
        start(1, true);
        StackServerSocket listener = stack.openServerSocket().bind(new InetSocketAddress(PORT), 16);
        Future<?> server = threads.submit(() -> {
            StackSocket socket = StackIo.accept(listener);
            ByteBuffer request = ByteBuffer.allocate(64);
            int n = StackIo.readToEnd(socket, request);
            assertEquals(5, n, "request, then the kernel's FIN");
            StackIo.writeFully(socket, ByteBuffer.wrap("reply after your FIN".getBytes(StandardCharsets.US_ASCII)));
            socket.close();
            return null;
        });
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(tap.stackAddress(true), PORT), 5_000);
            client.setSoTimeout(30_000);
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals("reply after your FIN", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        server.get(30, TimeUnit.SECONDS);
        listener.close();
    }
}
