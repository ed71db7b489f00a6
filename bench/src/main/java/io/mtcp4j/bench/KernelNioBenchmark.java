package io.mtcp4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The kernel's side of issue 4's comparison: the workloads of {@link TwoEnginesBenchmark} over
 * 127.0.0.1 with plain blocking JDK NIO ({@link ServerSocketChannel}, {@link SocketChannel}),
 * TCP_NODELAY on both ends. The client is the benchmark thread; the server is one platform thread
 * started at setup, so the kernel side may use both cores.
 * <ul>
 *   <li>{@link #requestResponse}: (a) the client writes 64 bytes and reads the server's 64-byte
 *       reply on a kept-open connection.</li>
 *   <li>{@link #connectRequestResponseClose}: (b) connect, 64-byte request, 64-byte response;
 *       the server closes first (so TIME_WAIT is the server's and the client's ports are reused,
 *       as on the mtcp4j side), the client reads end of stream and closes.</li>
 *   <li>{@link #bulk}: (c) the client writes 64 KiB per op (a blocking write, returning once the
 *       kernel holds the bytes); the server thread reads and discards. In the steady state the
 *       socket buffers bound how far the writer runs ahead, so ops/s x 65,536 is the throughput.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KernelNioBenchmark {
    static final int MESSAGE_BYTES = TwoEnginesBenchmark.MESSAGE_BYTES;
    static final int BULK_CHUNK_BYTES = TwoEnginesBenchmark.BULK_CHUNK_BYTES;

    /** A server thread on an ephemeral loopback port, running {@link #serve} per accepted connection. */
    public abstract static class Server {
        ServerSocketChannel serverChannel;
        InetSocketAddress address;
        Thread thread;
        volatile boolean running;
        SocketChannel client;

        @Setup(Level.Trial)
        public void startServer() throws IOException {
            serverChannel = ServerSocketChannel.open();
            serverChannel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            address = (InetSocketAddress) serverChannel.getLocalAddress();
            running = true;
            thread = Thread.ofPlatform().daemon().name("kernel-nio-server").start(() -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(BULK_CHUNK_BYTES);
                try {
                    while (running) {
                        try (SocketChannel channel = serverChannel.accept()) {
                            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            serve(channel, buffer);
                        }
                    }
                } catch (IOException closed) {
                    // teardown closed the server channel
                }
            });
            if (keepsConnection()) {
                client = connect();
            }
        }

        /** Whether setup opens one client connection for the whole trial ({@link #client}). */
        boolean keepsConnection() {
            return true;
        }

        /** One connection's work; returning closes it (server first). */
        abstract void serve(SocketChannel channel, ByteBuffer buffer) throws IOException;

        @TearDown(Level.Trial)
        public void stopServer() throws Exception {
            running = false;
            if (client != null) {
                client.close();
            }
            serverChannel.close();
            thread.join(5_000);
        }

        SocketChannel connect() {
            try {
                SocketChannel channel = SocketChannel.open(address);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return channel;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static boolean readFully(SocketChannel channel, ByteBuffer buffer, int length) throws IOException {
        buffer.clear().limit(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Echoes 64-byte messages until the client closes. */
    static void echoUntilClosed(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (readFully(channel, buffer, MESSAGE_BYTES)) {
            buffer.flip();
            writeFully(channel, buffer);
        }
    }

    /** (a) and (c) keep one connection; {@code request} and {@code chunk} are the client's buffers. */
    @State(Scope.Thread)
    public static class EchoServer extends Server {
        final ByteBuffer request = ByteBuffer.allocateDirect(MESSAGE_BYTES);
        final ByteBuffer response = ByteBuffer.allocateDirect(MESSAGE_BYTES);

        @Override
        void serve(SocketChannel channel, ByteBuffer buffer) throws IOException {
            echoUntilClosed(channel, buffer);
        }
    }

    /** (b) one transaction per connection, the server closing first. */
    @State(Scope.Thread)
    public static class TransactionServer extends Server {
        final ByteBuffer request = ByteBuffer.allocateDirect(MESSAGE_BYTES);
        final ByteBuffer response = ByteBuffer.allocateDirect(MESSAGE_BYTES);

        @Override
        boolean keepsConnection() {
            return false;
        }

        @Override
        void serve(SocketChannel channel, ByteBuffer buffer) throws IOException {
            if (readFully(channel, buffer, MESSAGE_BYTES)) {
                buffer.flip();
                writeFully(channel, buffer);
            }
        }
    }

    /** (c) the server reads and discards. */
    @State(Scope.Thread)
    public static class SinkServer extends Server {
        final ByteBuffer chunk = ByteBuffer.allocateDirect(BULK_CHUNK_BYTES);

        @Override
        void serve(SocketChannel channel, ByteBuffer buffer) throws IOException {
            while (true) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    return;
                }
            }
        }
    }

    /** (a) One 64-byte request and 64-byte response on a kept-open connection. */
    @Benchmark
    public int requestResponse(EchoServer state) throws IOException {
        ByteBuffer request = state.request.clear();
        writeFully(state.client, request);
        if (!readFully(state.client, state.response, MESSAGE_BYTES)) {
            throw new IllegalStateException("server closed");
        }
        return state.response.get(0);
    }

    /** (b) Connect, 64-byte request, 64-byte response, end of stream (server closed), close. */
    @Benchmark
    public int connectRequestResponseClose(TransactionServer state) throws IOException {
        try (SocketChannel channel = state.connect()) {
            writeFully(channel, state.request.clear());
            if (!readFully(channel, state.response, MESSAGE_BYTES)) {
                throw new IllegalStateException("server closed before responding");
            }
            state.request.clear().limit(1);
            if (channel.read(state.request) >= 0) {
                throw new IllegalStateException("expected end of stream");
            }
            return state.response.get(0);
        }
    }

    /** (c) One flow, 64 KiB client to server per op. */
    @Benchmark
    public int bulk(SinkServer state) throws IOException {
        ByteBuffer chunk = state.chunk.clear();
        writeFully(state.client, chunk);
        return chunk.position();
    }
}
