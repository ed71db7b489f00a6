package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_ACK;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_FIN;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_PSH;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_RST;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpHeader;
import io.mtcp4j.stack.wire.TcpOptionSet;
import io.mtcp4j.stack.wire.TcpSegment;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Drives one {@link TcpConnection} with crafted segments and an injected clock, and checks the
 * exact segments it emits (in the spirit of gVisor's checkers and smoltcp's tests).
 *
 * <p>Vocabulary: {@link #send} a segment from the peer (then the connection transmits), {@link
 * #expect} the next emitted segment field by field, {@link #expectNothing}, {@link #advance} the
 * clock (timers fire, then the connection transmits). Segments are built with {@link #segment()}:
 * {@code h.send(h.segment().seq(h.peerSeq).ack(h.ourSeq).flags(ACK).payload("abc"))}.
 *
 * <p>The peer in these tests is "remote" 10.0.0.2:5000; the connection under test is "local"
 * 10.0.0.1:80. Emitted segments pass through the real wire layer (built into a buffer and parsed
 * back with a checked wrap), so the options are checked as the peer would read them.
 */
final class TcpHarness {
    static final int LOCAL_PORT = 80;
    static final int REMOTE_PORT = 5000;
    static final int LOCAL_ISS = 1_000;
    static final int REMOTE_ISS = 50_000;
    static final TcpEndpoints ENDPOINTS = TcpEndpoints.ipv4(
            Ipv4Address.parse("10.0.0.1"), LOCAL_PORT, Ipv4Address.parse("10.0.0.2"), REMOTE_PORT);
    static final long START_NS = 1_000_000_000_000L;

    final Deque<TcpSegment> emitted = new ArrayDeque<>();
    final List<TcpSegment> allEmitted = new ArrayList<>();
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment inputBuffer = arena.allocate(70_000);
    private final MemorySegment outputBuffer = arena.allocate(70_000);
    private final TcpFlyweight inputFlyweight = new TcpFlyweight();
    private final TcpFlyweight outputFlyweight = new TcpFlyweight();
    /** When false, the output refuses segments (a full transmit batch). */
    boolean outputHasRoom = true;

    TcpConfig config;
    TcpConnection connection;
    long nowNs = START_NS;

    TcpHarness(TcpConfig config) {
        this.config = config;
    }

    TcpHarness() {
        this(TcpConfig.defaults());
    }

    /** The output the connection writes to: each segment is built on the wire and parsed back. */
    final TcpOutput output = (connection, segment) -> {
        if (!outputHasRoom) {
            return false;
        }
        TcpFlyweight tcp = outputFlyweight.wrapForWrite(outputBuffer, 0)
                .sourcePort(connection.endpoints().localPort())
                .destinationPort(connection.endpoints().remotePort())
                .sequenceNumber(segment.sequenceNumber())
                .acknowledgmentNumber(segment.acknowledgmentNumber())
                .flags(segment.flags())
                .window(segment.window())
                .checksum(0)
                .urgentPointer(0);
        int headerLength = 20 + segment.options().writeTo(tcp);
        segment.copyPayloadTo(outputBuffer, headerLength);
        int length = headerLength + segment.payloadLength();
        Malformed result = outputFlyweight.wrap(outputBuffer, 0, length);
        assertEquals(Malformed.NONE, result, "the connection emitted a malformed segment");
        TcpSegment parsed = TcpSegment.from(outputFlyweight);
        emitted.add(parsed);
        allEmitted.add(parsed);
        return true;
    };

    // ------------------------------------------------------------------------ fixtures

    /** A connection that has sent its SYN (active open), the SYN consumed from the queue. */
    TcpHarness synSent() {
        connection = TcpConnection.connect(config, ENDPOINTS, output, LOCAL_ISS, nowNs);
        connection.transmit(nowNs);
        expect().flags(FLAG_SYN).seq(LOCAL_ISS).check();
        return this;
    }

    /** A passive connection created from the peer's SYN with the options given, SYN-ACK consumed. */
    TcpHarness synReceived(TcpOptionSet synOptions) {
        SegmentBuilder syn = segment().seq(REMOTE_ISS).ack(0).flags(FLAG_SYN).window(64_240).options(synOptions);
        TcpFlyweight tcp = syn.wrap();
        connection = TcpConnection.accept(config, ENDPOINTS, output, LOCAL_ISS, tcp, nowNs);
        connection.transmit(nowNs);
        expect().flags(FLAG_SYN | FLAG_ACK).seq(LOCAL_ISS).ack(REMOTE_ISS + 1).check();
        return this;
    }

    /** Options a Linux client puts on its SYN. */
    static TcpOptionSet linuxSynOptions() {
        return TcpOptionSet.NONE.withMss(1460).withSackPermitted(true).withTimestamps(5_000, 0).withWindowScale(7);
    }

    /**
     * An established connection from a passive open without options (no timestamps, SACK or
     * window scaling: every field of every segment is then plain to read in the tests).
     */
    TcpHarness established() {
        synReceived(TcpOptionSet.NONE.withMss(1460));
        send(segment().seq(REMOTE_ISS + 1).ack(LOCAL_ISS + 1).flags(FLAG_ACK).window(65_535));
        assertEquals(TcpState.ESTABLISHED, connection.state());
        expectNothing();
        connection.takeEvents();
        return this;
    }

    // ------------------------------------------------------------------------ actions

    SegmentBuilder segment() {
        return new SegmentBuilder();
    }

    /** The peer's segment arrives; the connection then transmits what is due. */
    TcpHarness send(SegmentBuilder builder) {
        TcpFlyweight tcp = builder.wrap();
        connection.segmentArrived(nowNs, tcp, inputBuffer);
        connection.transmit(nowNs);
        return this;
    }

    /** Moves the clock; fires due timers and transmits. */
    TcpHarness advance(long durationNs) {
        long target = nowNs + durationNs;
        while (connection.nextDeadlineNs() <= target) {
            nowNs = Math.max(nowNs, connection.nextDeadlineNs());
            connection.onTimers(nowNs);
            connection.transmit(nowNs);
        }
        nowNs = target;
        connection.transmit(nowNs);
        return this;
    }

    TcpHarness advanceMs(long milliseconds) {
        return advance(milliseconds * 1_000_000L);
    }

    int write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return connection.write(bytes, 0, bytes.length);
    }

    int write(byte[] bytes) {
        return connection.write(bytes, 0, bytes.length);
    }

    String readAll() {
        byte[] buffer = new byte[1 << 20];
        int count = connection.read(buffer, 0, buffer.length);
        return count <= 0 ? "" : new String(buffer, 0, count, StandardCharsets.US_ASCII);
    }

    TcpHarness transmit() {
        connection.transmit(nowNs);
        return this;
    }

    // ------------------------------------------------------------------------ checks

    /** Starts checking the next emitted segment; finish with {@link Expectation#check()}. */
    Expectation expect() {
        TcpSegment next = emitted.poll();
        assertNotNull(next, "expected a segment, none was emitted");
        return new Expectation(next);
    }

    void expectNothing() {
        TcpSegment next = emitted.poll();
        assertNull(next, () -> "expected no segment, got " + next);
    }

    void expectState(TcpState state) {
        assertEquals(state, connection.state());
    }

    /** Builds a peer segment (from remote to local). */
    final class SegmentBuilder {
        private int seq;
        private int ack;
        private int flags = FLAG_ACK;
        private int window = 65_535;
        private TcpOptionSet options = TcpOptionSet.NONE;
        private byte[] payload = new byte[0];

        SegmentBuilder seq(int value) { seq = value; return this; }
        SegmentBuilder ack(int value) { ack = value; return this; }
        SegmentBuilder flags(int value) { flags = value; return this; }
        SegmentBuilder window(int value) { window = value; return this; }
        SegmentBuilder options(TcpOptionSet value) { options = value; return this; }
        SegmentBuilder payload(String text) { payload = text.getBytes(StandardCharsets.US_ASCII); return this; }
        SegmentBuilder payload(byte[] bytes) { payload = bytes.clone(); return this; }
        SegmentBuilder payloadLength(int length) {
            payload = new byte[length];
            for (int i = 0; i < length; i++) {
                payload[i] = (byte) ('a' + i % 26);
            }
            return this;
        }

        TcpFlyweight wrap() {
            TcpSegment segment = new TcpSegment(
                    new TcpHeader(REMOTE_PORT, LOCAL_PORT, seq, ack, flags, window, 0, 0, options), payload);
            int length = segment.writeTo(inputBuffer, 0);
            Malformed result = inputFlyweight.wrap(inputBuffer, 0, length);
            if (result != Malformed.NONE) {
                fail("test built a malformed segment: " + result);
            }
            return inputFlyweight;
        }
    }

    /** Field-by-field check of one emitted segment; unset fields are not checked. */
    static final class Expectation {
        private final TcpSegment actual;
        private Integer flags;
        private Integer seq;
        private Integer ack;
        private Integer window;
        private Integer payloadLength;
        private String payloadText;
        private final List<Consumer<TcpSegment>> extra = new ArrayList<>();

        Expectation(TcpSegment actual) {
            this.actual = actual;
        }

        Expectation flags(int value) { flags = value; return this; }
        Expectation seq(int value) { seq = value; return this; }
        Expectation ack(int value) { ack = value; return this; }
        Expectation window(int value) { window = value; return this; }
        Expectation payloadLength(int value) { payloadLength = value; return this; }
        Expectation payload(String text) { payloadText = text; return this; }
        Expectation options(Consumer<TcpOptionSet> check) { extra.add(s -> check.accept(s.header().options())); return this; }

        /** Asserts every field set, and returns the segment for further checks. */
        TcpSegment check() {
            TcpHeader header = actual.header();
            String description = actual.toString();
            if (flags != null) {
                assertEquals(TcpHeader.flagsText(flags), TcpHeader.flagsText(header.flags()), "flags of " + description);
            }
            if (seq != null) {
                assertEquals(Integer.toUnsignedString(seq), Integer.toUnsignedString(header.sequenceNumber()), "seq of " + description);
            }
            if (ack != null) {
                assertEquals(Integer.toUnsignedString(ack), Integer.toUnsignedString(header.acknowledgmentNumber()), "ack of " + description);
            }
            if (window != null) {
                assertEquals(window.intValue(), header.window(), "window of " + description);
            }
            if (payloadLength != null) {
                assertEquals(payloadLength.intValue(), actual.payload().length, "payload length of " + description);
            }
            if (payloadText != null) {
                assertEquals(payloadText, new String(actual.payload(), StandardCharsets.US_ASCII), "payload of " + description);
            }
            extra.forEach(check -> check.accept(actual));
            return actual;
        }
    }

    static final int SYN = FLAG_SYN;
    static final int ACK = FLAG_ACK;
    static final int FIN = FLAG_FIN;
    static final int RST = FLAG_RST;
    static final int PSH = FLAG_PSH;
}
