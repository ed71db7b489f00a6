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
 * <p>Fixtures bring a fresh connection to a state with every segment on the way consumed:
 * {@link #synSent}, {@link #synReceived}, {@link #established()} (and with options,
 * {@link #activeEstablished}), {@link #finWait1}, {@link #finWait2}, {@link #closing},
 * {@link #timeWait}, {@link #closeWait}, {@link #lastAck}. Set {@link #localIss},
 * {@link #remoteIss} or {@link #synWindow} before calling one to vary the handshake.
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
    /** The peer's TSval on the SYN of {@link #linuxSynOptions()}, and on the handshake's ACK one tick later. */
    static final int PEER_TS_START = 5_001;

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
    /**
     * Where the fixtures' connections get their rings: a pool, so every test also checks that a
     * connection returns each ring at most once (the pool throws on a second return).
     */
    final RingPool rings = new RingPool(64L << 20);
    long nowNs = START_NS;
    /** Our initial sequence number; change it before a fixture runs to test sequence-space wrap. */
    int localIss = LOCAL_ISS;
    /** The peer's initial sequence number, likewise. */
    int remoteIss = REMOTE_ISS;
    /** The window field of the peer's SYN in {@link #synReceived}. */
    int synWindow = 64_240;
    /** TSval of the last segment we emitted that carried timestamps (what the peer echoes). */
    int ourLastTimestampValue;

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
        parsed.header().options().timestamps().ifPresent(ts -> ourLastTimestampValue = ts.value());
        emitted.add(parsed);
        allEmitted.add(parsed);
        return true;
    };

    // ------------------------------------------------------------------------ fixtures

    /** A connection that has sent its SYN (active open), the SYN consumed from the queue. */
    TcpHarness synSent() {
        connection = TcpConnection.connect(config, ENDPOINTS, output, rings, localIss, nowNs);
        connection.transmit(nowNs);
        expect().flags(FLAG_SYN).seq(localIss).check();
        return this;
    }

    /** A passive connection created from the peer's SYN with the options given, SYN-ACK consumed. */
    TcpHarness synReceived(TcpOptionSet synOptions) {
        SegmentBuilder syn = segment().seq(remoteIss).ack(0).flags(FLAG_SYN).window(synWindow).options(synOptions);
        TcpFlyweight tcp = syn.wrap();
        connection = TcpConnection.accept(config, ENDPOINTS, output, rings, localIss, tcp, nowNs);
        connection.transmit(nowNs);
        expect().flags(FLAG_SYN | FLAG_ACK).seq(localIss).ack(remoteIss + 1).check();
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
        return established(TcpOptionSet.NONE.withMss(1460));
    }

    /**
     * An established connection from a passive open whose SYN carried {@code synOptions}; the
     * handshake's ACK (window 65,535) carries a timestamp (TSval {@link #PEER_TS_START}) when the
     * SYN offered them.
     */
    TcpHarness established(TcpOptionSet synOptions) {
        synReceived(synOptions);
        SegmentBuilder ack = segment().seq(remoteIss + 1).ack(localIss + 1).flags(FLAG_ACK).window(65_535);
        if (synOptions.timestamps().isPresent()) {
            ack.options(peerTimestamp(PEER_TS_START));
        }
        send(ack);
        assertEquals(TcpState.ESTABLISHED, connection.state());
        expectNothing();
        connection.takeEvents();
        return this;
    }

    /** Established without options but SACK-permitted (SACK blocks without timestamps: four fit). */
    TcpHarness establishedWithSack() {
        return established(TcpOptionSet.NONE.withMss(1460).withSackPermitted(true));
    }

    /** An active open completed by a SYN-ACK with {@code synAckOptions}; our ACK consumed. */
    TcpHarness activeEstablished(TcpOptionSet synAckOptions) {
        synSent();
        send(segment().seq(remoteIss).ack(localIss + 1).flags(FLAG_SYN | FLAG_ACK).options(synAckOptions));
        assertEquals(TcpState.ESTABLISHED, connection.state());
        expect().flags(FLAG_ACK).seq(localIss + 1).ack(remoteIss + 1).check();
        connection.takeEvents();
        return this;
    }

    /** {@link #established()}, then close(): our FIN sent at L, FIN-WAIT-1. */
    TcpHarness finWait1() {
        established();
        connection.close(nowNs);
        transmit();
        expect().flags(FLAG_ACK | FLAG_FIN).seq(localIss + 1).ack(remoteIss + 1).check();
        assertEquals(TcpState.FIN_WAIT_1, connection.state());
        return this;
    }

    /** {@link #finWait1()}, then the peer acknowledges our FIN: FIN-WAIT-2 (an orphan: close() was called). */
    TcpHarness finWait2() {
        finWait1();
        send(segment().seq(remoteIss + 1).ack(localIss + 2));
        assertEquals(TcpState.FIN_WAIT_2, connection.state());
        expectNothing();
        return this;
    }

    /** {@link #finWait1()}, then the peer's FIN that does not acknowledge ours: CLOSING. */
    TcpHarness closing() {
        finWait1();
        send(segment().seq(remoteIss + 1).ack(localIss + 1).flags(FLAG_ACK | FLAG_FIN));
        expect().flags(FLAG_ACK).seq(localIss + 2).ack(remoteIss + 2).check();
        assertEquals(TcpState.CLOSING, connection.state());
        return this;
    }

    /** {@link #finWait2()}, then the peer's FIN: TIME-WAIT, our ACK consumed. */
    TcpHarness timeWait() {
        finWait2();
        send(segment().seq(remoteIss + 1).ack(localIss + 2).flags(FLAG_ACK | FLAG_FIN));
        expect().flags(FLAG_ACK).seq(localIss + 2).ack(remoteIss + 2).check();
        assertEquals(TcpState.TIME_WAIT, connection.state());
        return this;
    }

    /** {@link #established()}, then the peer's FIN: CLOSE-WAIT, our ACK consumed. */
    TcpHarness closeWait() {
        established();
        send(segment().seq(remoteIss + 1).ack(localIss + 1).flags(FLAG_ACK | FLAG_FIN));
        expect().flags(FLAG_ACK).seq(localIss + 1).ack(remoteIss + 2).check();
        assertEquals(TcpState.CLOSE_WAIT, connection.state());
        connection.takeEvents();
        return this;
    }

    /** {@link #closeWait()}, then close(): our FIN sent at L, LAST-ACK. */
    TcpHarness lastAck() {
        closeWait();
        connection.close(nowNs);
        transmit();
        expect().flags(FLAG_ACK | FLAG_FIN).seq(localIss + 1).ack(remoteIss + 2).check();
        assertEquals(TcpState.LAST_ACK, connection.state());
        return this;
    }

    /** The peer's Timestamps option: its clock {@code value}, echoing the TSval we sent last. */
    TcpOptionSet peerTimestamp(int value) {
        return TcpOptionSet.NONE.withTimestamps(value, ourLastTimestampValue);
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

    /** The peer's segment arrives; unlike {@link #send}, the connection is not asked to transmit. */
    TcpHarness arrive(SegmentBuilder builder) {
        connection.segmentArrived(nowNs, builder.wrap(), inputBuffer);
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

    /** Reads and discards {@code count} bytes (at most what is readable). */
    int read(int count) {
        return connection.read(new byte[count], 0, count);
    }

    /** Forgets segments emitted so far (when a test only cares about what follows). */
    void discardEmitted() {
        emitted.clear();
    }

    // ------------------------------------------------------------------------ checks

    /** Starts checking the next emitted segment; finish with {@link Expectation#check()}. */
    Expectation expect() {
        TcpSegment next = emitted.poll();
        assertNotNull(next, "expected a segment, none was emitted");
        return new Expectation(next);
    }

    /** Expects a pure ACK {@code <SEQ=seq><ACK=ack><CTL=ACK>} without payload. */
    TcpSegment expectAck(int seq, int ack) {
        return expect().flags(FLAG_ACK).seq(seq).ack(ack).payloadLength(0).check();
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

        /** The SACK blocks, in order, as edge pairs {@code left0, right0, left1, right1, ...}; none for no SACK option. */
        Expectation sack(int... edges) {
            List<TcpOptionSet.SackBlock> blocks = TcpOptionSet.NONE.withSackBlocks(edges).sackBlocks();
            extra.add(s -> assertEquals(blocks, s.header().options().sackBlocks(), "SACK blocks of " + s));
            return this;
        }

        /** The timestamp echo reply (TSecr). */
        Expectation timestampEcho(int echoReply) {
            extra.add(s -> assertEquals(echoReply,
                    s.header().options().timestamps().orElseThrow(() -> new AssertionError("no timestamps on " + s)).echoReply(),
                    "TSecr of " + s));
            return this;
        }

        /** No options at all. */
        Expectation noOptions() {
            extra.add(s -> assertEquals(TcpOptionSet.NONE, s.header().options(), "options of " + s));
            return this;
        }

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
