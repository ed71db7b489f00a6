package io.mtcp4j.bench;

import io.mtcp4j.stack.device.BufferPool;
import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.device.WrappingDevice;
import io.mtcp4j.stack.engine.ConnectionHandler;
import io.mtcp4j.stack.engine.Engine;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.tcp.TcpState;
import io.mtcp4j.stack.wire.Checksum;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.FrameParser;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.NetworkOrder;
import io.mtcp4j.stack.wire.TcpFlyweight;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The steady-state receive-and-ACK path of one engine: in-order, full-sized data segments of an
 * established connection arrive, the engine parses them, finds the flow, places the payload in
 * the receive ring and sends ACKs (delayed-ACK rules apply: every second full-sized segment, and
 * one ACK per loop answers a whole burst); the benchmark reads the ring empty as an application
 * would, and the ACK frames are discarded. One op is one data segment.
 *
 * <ul>
 *   <li>{@link #burstOf64}: each engine loop receives a burst of 64 segments (a busy link);</li>
 *   <li>{@link #oneSegmentPerLoop}: each loop receives one segment (a quiet link, where every
 *       loop's fixed cost falls on one segment and every second loop sends an ACK).</li>
 * </ul>
 *
 * <h2>How the segments are made</h2>
 * A client engine and the measured (server) engine open a connection over a linked pair of loop
 * devices, and the client sends one full-sized data segment, which the server's device, a
 * {@link ScriptedDevice} wrapped around its end of the pair, copies as a template. From then on
 * the client is no longer run and the scripted device feeds the server copies of the template
 * with the sequence number advanced by one payload each time (and, with {@code checksumOffload}
 * false, the TCP checksum updated incrementally, RFC 1624); timestamps stay those of the
 * template, which PAWS accepts (equal is not older). Transmitted frames (the ACKs) are counted
 * and their buffers taken back. The feeding is a few stores per frame and is part of the figure.
 *
 * <h2>Parameters</h2>
 * {@code checksumOffload}: true, the frames arrive marked {@link FrameBatch#CHECKSUM_VERIFIED}
 * and the ACKs leave with a partial checksum (a NIC with checksum offload); false, the engine
 * verifies the IPv4 and TCP checksums of every frame and computes those of every ACK in software.
 *
 * <pre>
 * ./mvnw -B -o -q -pl stack,bench package -DskipTests
 * $JAVA_HOME/bin/java -jar bench/target/benchmarks.jar 'ReceivePathBenchmark' -f 1 -wi 2 -i 3 -w 2 -r 2 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReceivePathBenchmark {
    static final int PORT = 5001;
    static final int BURST = 64;
    private static final int CLIENT_IP = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER_IP = Ipv4Address.parse("10.0.0.2");
    private static final int MAX_SETUP_STEPS = 10_000_000;
    private static final ConnectionHandler IGNORE_EVENTS = (connection, events) -> { };

    /** An engine with one established connection whose peer is the {@link ScriptedDevice}. */
    @State(Scope.Thread)
    public static class Receiver {
        @Param({"true", "false"})
        public boolean checksumOffload;

        LoopDevice.Pair pair;
        ScriptedDevice device;
        Engine client;
        Engine server;
        TcpConnection connection;
        int payloadBytes;
        byte[] sink;

        @Setup(Level.Trial)
        public void start() throws UnknownHostException {
            pair = LoopDevice.pair(LoopDevice.Options.defaults("receive-path").withOffloads(checksumOffload, false));
            device = new ScriptedDevice(pair.b(), checksumOffload);
            TcpConfig tcp = TcpConfig.defaults().with(b -> b.noDelay(true));
            long now = System.nanoTime();
            client = new Engine(EngineConfig.of(StackAddresses.of(pair.a().macAddress(), CLIENT_IP, 24, Ipv6Address.UNSPECIFIED, 0))
                    .withTcp(tcp), pair.a(), 0, now);
            server = new Engine(EngineConfig.of(StackAddresses.of(device.macAddress(), SERVER_IP, 24, Ipv6Address.UNSPECIFIED, 0))
                    .withTcp(tcp), device, 0, now);
            server.defaultHandler(IGNORE_EVENTS);
            TcpListener listener = server.listen(false, PORT, 4);
            TcpConnection clientSide = client.connect(InetAddress.getByAddress(new byte[] {10, 0, 0, 2}), PORT, IGNORE_EVENTS);
            for (int steps = 0; (connection = listener.accept()) == null || clientSide.state() != TcpState.ESTABLISHED; steps++) {
                step(steps, "handshake");
            }
            // One full-sized segment from the client: the template of every segment that follows.
            payloadBytes = clientSide.info().sendMssBytes();
            client.write(clientSide, new byte[payloadBytes], 0, payloadBytes);
            for (int steps = 0; !device.hasTemplate() || clientSide.info().bytesInFlight() > 0; steps++) {
                step(steps, "template segment");
            }
            byte[] first = new byte[payloadBytes];
            if (server.read(connection, first, 0, payloadBytes) != payloadBytes) {
                throw new IllegalStateException("the template segment did not arrive whole");
            }
            if (device.templatePayloadBytes() != payloadBytes) {
                throw new IllegalStateException("template of " + device.templatePayloadBytes() + " bytes, MSS " + payloadBytes);
            }
            device.startScript(BURST);
            sink = new byte[BURST * payloadBytes];
        }

        private void step(int steps, String what) {
            if (steps > MAX_SETUP_STEPS) {
                throw new IllegalStateException("stuck in " + what + "\nclient " + client.counters() + "\nserver " + server.counters());
            }
            long now = System.nanoTime();
            client.doWork(now);
            server.doWork(now);
        }

        /** One loop of the server with {@code frames} segments waiting, then the application reads them all. */
        final int receive(int frames) {
            device.framesPerReceive(frames);
            server.doWork(System.nanoTime());
            int expected = frames * payloadBytes;
            int read = server.read(connection, sink, 0, sink.length);
            if (read != expected) {
                throw new IllegalStateException("read " + read + " bytes after " + frames + " segments of " + payloadBytes
                        + "\nserver " + server.counters() + "\n" + connection.info().state());
            }
            return read;
        }

        @TearDown(Level.Trial)
        public void stop() {
            if (server.counters().totalDrops() != 0) {
                throw new IllegalStateException("the engine dropped frames: " + server.counters());
            }
            if (device.acksTransmitted() == 0) {
                throw new IllegalStateException("no ACK was sent");
            }
            device.close();
            pair.a().close();
        }
    }

    /** 64 segments per engine loop; one op is one segment. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int burstOf64(Receiver state) {
        return state.receive(BURST);
    }

    /** One segment per engine loop. */
    @Benchmark
    public int oneSegmentPerLoop(Receiver state) {
        return state.receive(1);
    }

    /**
     * The measured engine's device: passes traffic through to the loop device it wraps until
     * {@link #startScript}, copying the first TCP segment with data it receives as a template;
     * then it stops using the wrapped device, receives copies of the template with advancing
     * sequence numbers, lends its own transmit buffers and discards what is transmitted.
     */
    static final class ScriptedDevice extends WrappingDevice {
        private static final int TCP_OFFSET = EthernetFlyweight.HEADER_LENGTH + 20; // IPv4 without options
        private final boolean checksumOffload;
        private final Arena arena = Arena.ofShared();
        private final FrameParser parser = new FrameParser();
        private final long slotBytes;
        private final MemorySegment templates;
        private final MemorySegment[] slots = new MemorySegment[FrameBatch.MAX_FRAMES];
        private final int[] slotSequence = new int[FrameBatch.MAX_FRAMES];
        private final BufferPool transmitBuffers;
        private boolean scripted;
        private int templateLength;
        private int templatePayloadBytes;
        private int nextSequence;
        private int framesPerReceive;
        private long acksTransmitted;

        ScriptedDevice(NetDevice inner, boolean checksumOffload) {
            super(inner);
            this.checksumOffload = checksumOffload;
            slotBytes = BufferPool.stride(inner.maxFrameBytes());
            templates = arena.allocate(FrameBatch.MAX_FRAMES * slotBytes, BufferPool.ALIGNMENT_BYTES);
            for (int i = 0; i < slots.length; i++) {
                slots[i] = templates.asSlice(i * slotBytes, slotBytes);
            }
            int buffers = 2 * FrameBatch.MAX_FRAMES;
            transmitBuffers = new BufferPool(arena.allocate(buffers * slotBytes, BufferPool.ALIGNMENT_BYTES),
                    buffers, inner.maxFrameBytes());
        }

        boolean hasTemplate() {
            return templateLength > 0;
        }

        int templatePayloadBytes() {
            return templatePayloadBytes;
        }

        long acksTransmitted() {
            return acksTransmitted;
        }

        /** From now on, receive serves the script, {@code maxFrames} slots of it. */
        void startScript(int maxFrames) {
            int firstSequence = NetworkOrder.u32AsInt(slots[0], TCP_OFFSET + TcpFlyweight.SEQUENCE_NUMBER_OFFSET);
            for (int i = 1; i < maxFrames; i++) {
                MemorySegment.copy(slots[0], 0, slots[i], 0, templateLength);
                slotSequence[i] = firstSequence;
            }
            slotSequence[0] = firstSequence;
            nextSequence = firstSequence + templatePayloadBytes;
            scripted = true;
        }

        void framesPerReceive(int frames) {
            framesPerReceive = frames;
        }

        @Override
        public int receive(int queue, FrameBatch batch) {
            if (!scripted) {
                int n = inner.receive(queue, batch);
                for (int i = 0; i < n && templateLength == 0; i++) {
                    captureIfData(batch, i);
                }
                return n;
            }
            batch.clear();
            int frames = Math.min(framesPerReceive, batch.remaining());
            for (int i = 0; i < frames; i++) {
                MemorySegment slot = slots[i];
                int sequence = nextSequence;
                nextSequence = sequence + templatePayloadBytes;
                NetworkOrder.u32(slot, TCP_OFFSET + TcpFlyweight.SEQUENCE_NUMBER_OFFSET, sequence);
                if (!checksumOffload) {
                    long checksumAt = TCP_OFFSET + TcpFlyweight.CHECKSUM_OFFSET;
                    NetworkOrder.u16(slot, checksumAt, Checksum.update32(NetworkOrder.u16(slot, checksumAt), slotSequence[i], sequence));
                }
                slotSequence[i] = sequence;
                batch.add(slot, 0, templateLength, (int) slotBytes, FrameBatch.NO_BUFFER_ID);
                if (checksumOffload) {
                    batch.flags(i, FrameBatch.CHECKSUM_VERIFIED);
                }
            }
            return frames;
        }

        private void captureIfData(FrameBatch batch, int i) {
            MemorySegment frame = batch.segment(i);
            long offset = batch.offset(i);
            int length = batch.length(i);
            boolean verify = (batch.flags(i) & (FrameBatch.CHECKSUM_PARTIAL | FrameBatch.CHECKSUM_VERIFIED)) == 0;
            if (parser.parse(frame, offset, length, verify) != Malformed.NONE
                    || parser.transport() != FrameParser.Transport.TCP || parser.tcp().payloadLength() == 0) {
                return;
            }
            if (parser.tcp().offset() - offset != TCP_OFFSET) {
                throw new IllegalStateException("expected an IPv4 header without options");
            }
            MemorySegment.copy(frame, offset, slots[0], 0, length);
            templatePayloadBytes = (int) parser.tcp().payloadLength();
            templateLength = length;
        }

        @Override
        public int lend(int queue, FrameBatch batch, int frames) {
            return scripted ? transmitBuffers.lend(batch, frames) : inner.lend(queue, batch, frames);
        }

        @Override
        public int transmit(int queue, FrameBatch batch) {
            if (!scripted) {
                return inner.transmit(queue, batch);
            }
            int sent = 0;
            for (int i = 0; i < batch.count(); i++) {
                if (batch.length(i) != 0) {
                    sent++;
                }
                transmitBuffers.giveBack(batch.bufferId(i));
            }
            batch.clear();
            acksTransmitted += sent;
            return sent;
        }

        @Override
        public void close() {
            try {
                inner.close();
            } finally {
                arena.close();
            }
        }
    }
}
