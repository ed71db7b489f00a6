package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_ACK;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.testing.Allocations;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpHeader;
import io.mtcp4j.stack.wire.TcpOptionSet;
import io.mtcp4j.stack.wire.TcpSegment;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The control block's loss recovery allocates nothing per segment (STYLE.md 7): a connection with
 * SACK goes through Limited Transmit, RFC 6675 recovery with proportional rate reduction, a
 * retransmission timeout with go-back-N over SACKed data, and a path MTU drop, fed segments built
 * beforehand and writing to an output that only counts. Connections are opened before the
 * measurement (opening allocates the rings); each measured run uses a fresh one, so every run
 * replays the same sequence numbers.
 */
class TcpConnectionAllocationTest {
    private static final int ISS = 1_000;
    private static final int PEER_ISS = 50_000;
    private static final int L = ISS + 1;
    private static final int R = PEER_ISS + 1;
    private static final int MSS = 1460;
    private static final long START_NS = 1_000_000_000_000L;
    private static final TcpConfig CONFIG = TcpConfig.defaults()
            .with(b -> b.timestamps(false).sendBufferBytes(64 * 1024).receiveBufferBytes(64 * 1024));
    private static final int WARM_UP_RUNS = 200;
    private static final int MEASURED_RUNS = 5;

    private final Arena arena = Arena.ofAuto();
    private final TcpFlyweight input = new TcpFlyweight();
    private final byte[] application = new byte[15 * MSS];
    private long segmentsOut;
    private final TcpOutput countingOutput = (connection, segment) -> {
        segmentsOut += segment.payloadLength() + 1;
        return true;
    };

    private final MemorySegment syn = build(PEER_ISS, 0, FLAG_SYN, TcpOptionSet.NONE.withMss(MSS).withSackPermitted(true));
    private final MemorySegment handshakeAck = build(R, L, FLAG_ACK, TcpOptionSet.NONE);
    /** The peer's ACKs of one run, in order; {@link #TIMEOUT} marks where the retransmission timer fires. */
    private final List<MemorySegment> acks = new ArrayList<>();
    private static final int TIMEOUT = -1;
    /** Marks where the path MTU falls below the segments in flight. */
    private static final int SMALLER_PATH_MTU = -2;
    private final List<Integer> scriptSteps = new ArrayList<>();
    /** {@link #scriptSteps} as an array: iterating a list would allocate its iterator inside the measurement. */
    private final int[] script;

    TcpConnectionAllocationTest() {
        // Segment 0 lost: three DupAcks with Limited Transmit, recovery, more SACKs (PRR sends).
        for (int end = 2; end <= 8; end++) {
            addAck(L, L + MSS, L + end * MSS);
        }
        scriptSteps.add(TIMEOUT); // the retransmission of 0 lost too: go back to SND.UNA
        addAck(L + 5 * MSS, L + 6 * MSS, L + 12 * MSS); // 0 to 4 in, 6 to 11 held: skipped
        addAck(L + 12 * MSS);
        addAck(L + 13 * MSS);
        scriptSteps.add(SMALLER_PATH_MTU); // what is in flight now goes again in 1,400-byte segments
        addAck(L + 14 * MSS);
        script = scriptSteps.stream().mapToInt(Integer::intValue).toArray();
    }

    private void addAck(int ack, int... sackEdges) {
        TcpOptionSet options = sackEdges.length == 0 ? TcpOptionSet.NONE : TcpOptionSet.NONE.withSackBlocks(sackEdges);
        acks.add(build(R, ack, FLAG_ACK, options));
        scriptSteps.add(acks.size() - 1);
    }

    private MemorySegment build(int seq, int ack, int flags, TcpOptionSet options) {
        TcpSegment segment = new TcpSegment(new TcpHeader(TcpHarness.REMOTE_PORT, TcpHarness.LOCAL_PORT, seq, ack,
                flags, 65_535, 0, 0, options), new byte[0]);
        MemorySegment buffer = arena.allocate(128);
        int length = segment.writeTo(buffer, 0);
        return buffer.asSlice(0, length);
    }

    private TcpFlyweight wrap(MemorySegment segment) {
        assertEquals(Malformed.NONE, input.wrap(segment, 0, segment.byteSize()));
        return input;
    }

    private TcpConnection open() {
        TcpConnection connection = TcpConnection.accept(CONFIG, TcpHarness.ENDPOINTS, countingOutput, ISS, wrap(syn), START_NS);
        connection.transmit(START_NS);
        connection.segmentArrived(START_NS, wrap(handshakeAck), handshakeAck);
        assertEquals(TcpState.ESTABLISHED, connection.state());
        return connection;
    }

    /** One run of the loss scenario on an established connection. */
    private void run(TcpConnection connection) {
        long nowNs = START_NS;
        connection.write(application, 0, application.length);
        connection.transmit(nowNs);
        for (int step : script) {
            nowNs += 1_000_000;
            if (step == TIMEOUT) {
                nowNs = connection.nextDeadlineNs();
                connection.onTimers(nowNs);
            } else if (step == SMALLER_PATH_MTU) {
                connection.pathMtuChanged(nowNs, 1_400);
            } else {
                MemorySegment ack = acks.get(step);
                input.wrap(ack, 0, ack.byteSize());
                connection.segmentArrived(nowNs, input, ack);
            }
            connection.transmit(nowNs);
        }
    }

    @Test
    void lossRecoveryAllocatesNothing() {
        // Allocations.leastBytesAllocatedBy runs the work MEASURED_RUNS times unmeasured, then
        // MEASURED_RUNS times measured; each run takes the next connection opened here.
        List<TcpConnection> connections = new ArrayList<>();
        for (int i = 0; i < WARM_UP_RUNS + 2 * MEASURED_RUNS; i++) {
            connections.add(open());
        }
        int[] next = {0};
        Allocations.Work<RuntimeException> oneRun = () -> run(connections.get(next[0]++));
        for (int i = 0; i < WARM_UP_RUNS; i++) {
            oneRun.run(); // enough runs for the JIT to compile the recovery paths
        }
        long least = Allocations.leastBytesAllocatedBy(MEASURED_RUNS, oneRun);
        TcpConnectionInfo info = connections.get(WARM_UP_RUNS).info();
        assertTrue(info.fastRetransmits() == 1 && info.retransmissionTimeouts() == 1 && info.pathMtuRetransmissions() == 1,
                "the scenario exercised recovery, the timeout and the MTU drop: " + info);
        assertTrue(segmentsOut > 0);
        assertEquals(0, least, "bytes allocated by one run");
    }
}
