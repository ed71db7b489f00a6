package io.mtcp4j.bench;

import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.engine.ConnectionHandler;
import io.mtcp4j.stack.engine.Engine;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.tcp.TcpState;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Issue 4's engine benchmark: two mtcp4j engines, a client and a server, each on its own end of a
 * {@link LoopDevice#pair linked pair of loop devices}, doing the three workloads that
 * {@link KernelNioBenchmark} does on the kernel's loopback:
 * <ul>
 *   <li>{@link #requestResponse}: (a) one 64-byte request and its 64-byte response on a connection
 *       kept open; one op = one transaction.</li>
 *   <li>{@link #connectRequestResponseClose}: (b) connect, the server accepts from its listener,
 *       64-byte request, 64-byte response, close; one op = one transaction, ending when the
 *       client's connection is CLOSED.</li>
 *   <li>{@link #bulk}: (c) one flow, client to server, {@value #BULK_CHUNK_BYTES} bytes per op;
 *       the op ends when the server application has read the whole chunk. MB/s = ops/s x
 *       65,536 / 10^6.</li>
 * </ul>
 *
 * <h2>Conditions: one thread steps both engines</h2>
 * There is no cross-thread API yet, so both engines run in the benchmark thread, stepped
 * alternately ({@code client.doWork(now); server.doWork(now)}), and the "applications" call the
 * engines' write/read/close between steps. This measures the protocol and engine cost of a
 * transaction on one core, both ends included; it is not a two-core pipeline (the kernel side
 * runs a server thread, so it can use both cores). The clock is real: {@code System.nanoTime()}
 * read once per step and passed to both engines, so timers (delayed ACK 40 ms, RTO) behave as
 * they would in production; none is expected to fire on these lossless workloads.
 *
 * <h2>Configuration</h2>
 * Default {@link TcpConfig} (Linux-like: window scaling, timestamps, SACK, CUBIC, 256 KiB
 * buffers) with {@code noDelay} on, as the kernel side sets TCP_NODELAY.
 *
 * <h2>TIME_WAIT in (b)</h2>
 * The <b>server closes first</b> (as HTTP servers do), so the TIME_WAIT flows are the server's
 * and the client's ephemeral port is free as soon as its connection is CLOSED (after LAST_ACK).
 * Both sides run as Linux does: the standard 60 s TIME_WAIT and the ephemeral ports
 * 32768-60999, so a client port comes back after 28,232 connections, while the server still holds
 * the four-tuple in TIME_WAIT; the new SYN takes it over (RFC 6191, its timestamp is newer: one
 * timestamp clock per address pair), in the engine through
 * {@code TcpConnection.acceptsSynInTimeWait} as in the kernel. The server's flow table therefore
 * holds up to one TIME_WAIT connection per client port. Those hold no rings (a connection gives
 * them back to its engine's ring pool once it has closed and its FIN is acknowledged), only
 * their control blocks.
 *
 * <p>Opening a connection takes its send and receive rings from the engine's ring pool, which in
 * the steady state hands back the rings of the previous connection; (b) runs with the default
 * 256 KiB and with 16 KiB rings ({@code bufferBytes}) to show that their size no longer matters.
 *
 * <pre>
 * ./mvnw -B -o -q -pl stack,bench package -DskipTests
 * $JAVA_HOME/bin/java -jar bench/target/benchmarks.jar 'TwoEngines|KernelNio' -f 1 -wi 2 -i 3 -w 2 -r 2 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TwoEnginesBenchmark {
    static final int MESSAGE_BYTES = 64;
    static final int BULK_CHUNK_BYTES = 64 * 1024;
    static final int PORT = 5000;
    /** Steps after which an op is declared stuck (a bug, not a slow run). */
    private static final int MAX_STEPS = 10_000_000;
    private static final int CLIENT_IP = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER_IP = Ipv4Address.parse("10.0.0.2");
    private static final ConnectionHandler IGNORE_EVENTS = (connection, events) -> { };

    /** Two engines over a linked pair, the server listening; steps them with the real clock. */
    @State(Scope.Thread)
    public static class Engines {
        LoopDevice.Pair pair;
        Engine client;
        Engine server;
        TcpListener listener;
        InetAddress serverAddress;
        final byte[] request = new byte[MESSAGE_BYTES];
        final byte[] response = new byte[MESSAGE_BYTES];
        final byte[] buffer = new byte[BULK_CHUNK_BYTES];

        @Setup(Level.Trial)
        public void start() throws UnknownHostException {
            pair = LoopDevice.pair(LoopDevice.Options.defaults("bench"));
            TcpConfig tcp = tcpConfig();
            long now = System.nanoTime();
            client = new Engine(EngineConfig.of(StackAddresses.of(pair.a().macAddress(), CLIENT_IP, 24, Ipv6Address.UNSPECIFIED, 0))
                    .withTcp(tcp), pair.a(), 0, now);
            server = new Engine(EngineConfig.of(StackAddresses.of(pair.b().macAddress(), SERVER_IP, 24, Ipv6Address.UNSPECIFIED, 0))
                    .withTcp(tcp), pair.b(), 0, now);
            server.defaultHandler(IGNORE_EVENTS);
            listener = server.listen(false, PORT, 128);
            serverAddress = InetAddress.getByAddress(new byte[] {10, 0, 0, 2});
            for (int i = 0; i < MESSAGE_BYTES; i++) {
                request[i] = (byte) i;
                response[i] = (byte) ~i;
            }
            afterStart();
        }

        /** Default settings with TCP_NODELAY, as the kernel side. */
        TcpConfig tcpConfig() {
            return TcpConfig.defaults().with(b -> b.noDelay(true));
        }

        /** What a workload prepares once the engines run. */
        void afterStart() {
        }

        @TearDown(Level.Trial)
        public void stop() {
            pair.close();
        }

        /** One loop of each engine at the same instant. */
        final void step() {
            long now = System.nanoTime();
            client.doWork(now);
            server.doWork(now);
        }

        /** Steps until {@code connection} has {@code length} bytes for us, and reads them into {@link #buffer}. */
        final void receive(Engine engine, TcpConnection connection, int length) {
            int received = 0;
            for (int steps = 0; ; steps++) {
                int read = engine.read(connection, buffer, received, length - received);
                if (read > 0) {
                    received += read;
                    if (received == length) {
                        return;
                    }
                } else if (read < 0) {
                    throw new IllegalStateException("end of stream after " + received + " of " + length + " bytes");
                }
                if (steps > MAX_STEPS) {
                    throw stuck("receive");
                }
                step();
            }
        }

        /** Steps until the listener hands over a connection. */
        final TcpConnection acceptOne() {
            for (int steps = 0; ; steps++) {
                TcpConnection accepted = listener.accept();
                if (accepted != null) {
                    return accepted;
                }
                if (steps > MAX_STEPS) {
                    throw stuck("accept");
                }
                step();
            }
        }

        final void stepUntilEstablished(TcpConnection connection) {
            for (int steps = 0; connection.state() != TcpState.ESTABLISHED; steps++) {
                if (steps > MAX_STEPS || connection.state() == TcpState.CLOSED) {
                    throw stuck("handshake, state " + connection.state());
                }
                step();
            }
        }

        final IllegalStateException stuck(String what) {
            return new IllegalStateException("stuck in " + what + "\nclient " + client.counters()
                    + "\nserver " + server.counters());
        }
    }

    /**
     * (b): a new connection per op, with the default 60 s TIME_WAIT. Each connection takes its
     * send and receive rings from its engine's ring pool; their size is a parameter: the default
     * 256 KiB, and 16 KiB, plenty for a 64-byte exchange.
     *
     * <p>Setup brings the server to its steady state before JMH's warm-up: transactions until
     * {@value #STEADY_STATE_REUSES} SYNs have taken over a four-tuple in TIME_WAIT, that is until
     * every client port has been used once (28,232 connections) and reuse is under way, as on a
     * server that has been running. Otherwise the measured iterations would mix two regimes: the
     * first pass over the ports, and the later one in which every SYN meets a TIME_WAIT
     * connection, whose first occurrence makes the JIT recompile the engine's receive path
     * (several seconds on a loaded two-core machine). The kernel side reaches its steady state
     * within its warm-up (28,232 connections take it about two seconds).
     */
    @State(Scope.Thread)
    public static class PerTransaction extends Engines {
        /** SYNs that reused a TIME_WAIT four-tuple before measuring starts. */
        static final int STEADY_STATE_REUSES = 10_000;

        @Param({"262144", "16384"})
        public int bufferBytes;

        @Override
        TcpConfig tcpConfig() {
            return TcpConfig.defaults().with(b -> b.noDelay(true).sendBufferBytes(bufferBytes).receiveBufferBytes(bufferBytes));
        }

        @Override
        void afterStart() {
            TwoEnginesBenchmark benchmark = new TwoEnginesBenchmark();
            while (server.counters().timeWaitReuses() < STEADY_STATE_REUSES) {
                benchmark.connectRequestResponseClose(this);
            }
        }
    }

    /** (a) and (c): one connection opened at setup and kept. */
    @State(Scope.Thread)
    public static class OpenConnection extends Engines {
        TcpConnection clientSide;
        TcpConnection serverSide;

        @Override
        void afterStart() {
            clientSide = client.connect(serverAddress, PORT, IGNORE_EVENTS);
            serverSide = acceptOne();
            stepUntilEstablished(clientSide);
        }
    }

    /** (a) One 64-byte request and 64-byte response on a kept-open connection. */
    @Benchmark
    public int requestResponse(OpenConnection state) {
        Engine client = state.client;
        Engine server = state.server;
        if (client.write(state.clientSide, state.request, 0, MESSAGE_BYTES) != MESSAGE_BYTES) {
            throw new IllegalStateException("request did not fit the send buffer");
        }
        state.receive(server, state.serverSide, MESSAGE_BYTES);
        if (server.write(state.serverSide, state.response, 0, MESSAGE_BYTES) != MESSAGE_BYTES) {
            throw new IllegalStateException("response did not fit the send buffer");
        }
        state.receive(client, state.clientSide, MESSAGE_BYTES);
        return state.buffer[0];
    }

    /**
     * (b) Connect, 64-byte request, 64-byte response, close (server first), until the client's
     * connection is CLOSED: its FIN was acknowledged, so its port is free again.
     */
    @Benchmark
    public int connectRequestResponseClose(PerTransaction state) {
        Engine client = state.client;
        Engine server = state.server;
        TcpConnection clientSide = client.connect(state.serverAddress, PORT, IGNORE_EVENTS);
        TcpConnection serverSide = state.acceptOne();
        state.stepUntilEstablished(clientSide);
        client.write(clientSide, state.request, 0, MESSAGE_BYTES);
        state.receive(server, serverSide, MESSAGE_BYTES);
        server.write(serverSide, state.response, 0, MESSAGE_BYTES);
        server.close(serverSide);
        state.receive(client, clientSide, MESSAGE_BYTES);
        for (int steps = 0; ; steps++) {
            int read = client.read(clientSide, state.buffer, 0, MESSAGE_BYTES);
            if (read < 0) {
                break; // the server's FIN
            }
            if (read > 0 || steps > MAX_STEPS) {
                throw state.stuck("waiting for the server's FIN (read " + read + ")");
            }
            state.step();
        }
        client.close(clientSide);
        for (int steps = 0; clientSide.state() != TcpState.CLOSED; steps++) {
            if (steps > MAX_STEPS) {
                throw state.stuck("client close, state " + clientSide.state());
            }
            state.step();
        }
        return state.buffer[0];
    }

    /**
     * (c) One flow, {@value #BULK_CHUNK_BYTES} bytes client to server per op: the client writes
     * what its send buffer takes, the engines step, the server reads what has arrived, until the
     * server has read the whole chunk.
     */
    @Benchmark
    public int bulk(OpenConnection state) {
        Engine client = state.client;
        Engine server = state.server;
        byte[] chunk = state.buffer;
        int written = 0;
        int received = 0;
        for (int steps = 0; received < BULK_CHUNK_BYTES; steps++) {
            if (written < BULK_CHUNK_BYTES) {
                written += client.write(state.clientSide, chunk, written, BULK_CHUNK_BYTES - written);
            }
            state.step();
            int read;
            while (received < BULK_CHUNK_BYTES
                    && (read = server.read(state.serverSide, chunk, received, BULK_CHUNK_BYTES - received)) > 0) {
                received += read;
            }
            if (steps > MAX_STEPS) {
                throw state.stuck("bulk, " + received + " bytes received");
            }
        }
        return received;
    }
}
