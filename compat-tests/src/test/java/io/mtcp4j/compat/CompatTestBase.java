package io.mtcp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mtcp4j.provider.Backend;
import io.mtcp4j.provider.MtcpChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The base of every differential test: each test class runs once per {@link Impl} and does the
 * same thing through {@link #provider}; a test passes only if it passes on both.
 *
 * <p>On the mtcp4j run, connections made with {@link #pair} are checked to have gone through
 * the stack: both ends report {@link Backend#STACK}, the kernel's TCP table never had a socket
 * between their ports, and after the test the stack's counters of active and passive opens moved
 * by at least the number of pairs. A silent fall-back to the kernel fails the test.
 */
@ParameterizedClass(name = "[{0}]")
@EnumSource(Impl.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class CompatTestBase {
    static final InetAddress LOOPBACK4 = address("127.0.0.1");
    static final InetAddress LOOPBACK6 = address("::1");

    @Parameter
    Impl impl;

    SelectorProvider provider;
    final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private int stackPairs;
    private long activeOpensBefore;
    private long passiveOpensBefore;

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    final void openProvider() {
        provider = impl.provider();
        if (isMtcp()) {
            activeOpensBefore = Impl.stackActiveOpens();
            passiveOpensBefore = Impl.stackPassiveOpens();
        }
    }

    @AfterEach
    final void closeAndVerify() throws Exception {
        threads.shutdownNow();
        try {
            if (isMtcp() && stackPairs > 0) {
                awaitCounter("active opens", Impl::stackActiveOpens, activeOpensBefore + stackPairs);
                awaitCounter("passive opens", Impl::stackPassiveOpens, passiveOpensBefore + stackPairs);
            }
        } finally {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Engine counters are written by engine threads; wait for them to be seen. */
    private static void awaitCounter(String name, LongSupplier counter, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter.getAsLong() < atLeast) {
            if (System.nanoTime() > deadline) {
                fail("the stack's " + name + " counter did not move: " + counter.getAsLong() + " < " + atLeast
                        + " (did the connections fall back to the kernel?)");
            }
            Thread.sleep(1);
        }
    }

    boolean isMtcp() {
        return impl == Impl.mtcp4j;
    }

    <T extends AutoCloseable> T track(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    // ------------------------------------------------------------------------------ factories

    SocketChannel client() throws IOException {
        return track(provider.openSocketChannel());
    }

    ServerSocketChannel server() throws IOException {
        return server(LOOPBACK4);
    }

    /** A bound listener on {@code address}, ephemeral port, blocking. */
    ServerSocketChannel server(InetAddress address) throws IOException {
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        server.bind(new InetSocketAddress(address, 0));
        return server;
    }

    Selector selector() throws IOException {
        return track(provider.openSelector());
    }

    /** The address a client connects to for {@code server} (its port on {@code address}). */
    static InetSocketAddress target(ServerSocketChannel server, InetAddress address) throws IOException {
        return new InetSocketAddress(address, ((InetSocketAddress) server.getLocalAddress()).getPort());
    }

    /** A connected pair over IPv4 loopback: {client, accepted}, both blocking. */
    SocketChannel[] pair() throws IOException {
        return pair(LOOPBACK4);
    }

    /** A connected pair over {@code address}, checked to have gone through the stack on the mtcp4j run. */
    SocketChannel[] pair(InetAddress address) throws IOException {
        ServerSocketChannel server = server(address);
        SocketChannel client = client();
        assertTrue(client.connect(target(server, address)), "a blocking connect returns true");
        SocketChannel accepted = track(server.accept());
        assertStackPath(client, accepted);
        return new SocketChannel[] {client, accepted};
    }

    /**
     * On the mtcp4j run: the connection between {@code client} and {@code accepted} went through
     * the stack (both ends STACK, no kernel socket between their ports). No effect on the JDK run.
     */
    void assertStackPath(SocketChannel client, SocketChannel accepted) throws IOException {
        if (!isMtcp()) {
            return;
        }
        assertEquals(Backend.STACK, ((MtcpChannel) client).backend(), "client backend");
        assertEquals(Backend.STACK, ((MtcpChannel) accepted).backend(), "accepted backend");
        int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
        int serverPort = ((InetSocketAddress) accepted.getLocalAddress()).getPort();
        if (KernelTcpTable.available()) {
            assertFalse(KernelTcpTable.hasConnection(clientPort, serverPort),
                    "the kernel has a socket between ports " + clientPort + " and " + serverPort);
        }
        stackPairs++;
    }

    /** A port with no listener: the kernel's pick, released again. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK4)) {
            return socket.getLocalPort();
        }
    }

    // ------------------------------------------------------------------------------ blocking I/O helpers

    static void writeFully(SocketChannel channel, ByteBuffer source) throws IOException {
        while (source.hasRemaining()) {
            channel.write(source);
        }
    }

    /** Reads until {@code target} is full or end of stream (blocking channel); returns the bytes read. */
    static int readFully(SocketChannel channel, ByteBuffer target) throws IOException {
        int total = 0;
        while (target.hasRemaining()) {
            int n = channel.read(target);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    static String text(ByteBuffer buffer) {
        return new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * Gives {@code thread}, which announced it is about to call a blocking method, time to block
     * in it. Not a timing assertion: a slow machine only tests an earlier moment.
     */
    static void letBlock(Thread thread) throws InterruptedException {
        Thread.sleep(200);
        assertTrue(thread.isAlive(), "the thread was to block but ended");
    }
}
