package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.wire.Malformed;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One engine's traffic counters and drops by name: {@link Malformed} reasons from the frame
 * parser and {@link EngineDrop} reasons of the engine itself. The IP control plane's
 * {@link io.mtcp4j.stack.ip.IpDrop} reasons stay in its components' counters, which
 * {@link Engine#ipDrops} sums.
 *
 * <h2>Threads: one writer, readers anywhere</h2>
 * The engine thread alone writes; any thread may read at any time (JMX, a {@code mtcp4j stat}
 * command, a test watching a running engine) without stopping the engine, and the engine's
 * increments stay plain: no volatile stores, no atomic read-modify-write.
 * <ul>
 *   <li><b>Traffic counters</b> ({@link #loops()} to {@link #earlyFlushes()}): the engine adds to
 *       plain fields of this object ({@code counters.segmentsSent++}), which only its own thread
 *       ever touches, and {@link Engine#doWork} copies them once per loop, at its end, into a
 *       separate array with opaque stores ({@link #publish()}); the accessors read that array
 *       with opaque loads. So a reader sees each counter as of the end of some recent loop,
 *       never torn (opaque access is atomic for {@code long}) and never going backwards (opaque
 *       access to one variable is coherent). A count made between loops, such as
 *       {@link #activeOpens()} by {@link Engine#connect}, shows after the next loop, on the engine's
 *       own thread too. The copy is about twenty loads and stores per loop, which on x86 are
 *       plain moves; a per-increment opaque store would have changed every counting line of the
 *       engine for the same guarantees.</li>
 *   <li><b>Drops</b> ({@link #malformed}, {@link #drops}, {@link #totalDrops()}): rare, so each is
 *       published as it is counted, with an opaque store of the incremented value, as
 *       {@code DeviceCounters} does.</li>
 * </ul>
 * Two counters read one after the other may come from different loops: they are for monitoring,
 * not for invariants across counters.
 */
public final class EngineCounters {
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

    // Cells of the published traffic counters.
    private static final int LOOPS = 0;
    private static final int FRAMES_RECEIVED = 1;
    private static final int FRAMES_TRANSMITTED = 2;
    private static final int SEGMENTS_RECEIVED = 3;
    private static final int SEGMENTS_SENT = 4;
    private static final int RESETS_SENT = 5;
    private static final int CONTROL_REPLIES_SENT = 6;
    private static final int ECHO_REPLIES_RECEIVED = 7;
    private static final int ICMP_ERRORS_FOR_FLOWS = 8;
    private static final int PATH_MTU_UPDATES = 9;
    private static final int TIME_WAIT_REUSES = 10;
    private static final int ACTIVE_OPENS = 11;
    private static final int PASSIVE_OPENS = 12;
    private static final int CONNECTIONS_CLOSED = 13;
    private static final int TIMERS_FIRED = 14;
    private static final int COMMANDS_RUN = 15;
    private static final int EARLY_FLUSHES = 16;
    private static final int WAKEUPS = 17;
    private static final int FRAMES_HANDED_OFF = 18;
    private static final int FRAMES_TAKEN_OVER = 19;
    private static final int NEIGHBOR_COPIES_SENT = 20;
    private static final int ANNOUNCEMENTS_SENT = 21;
    private static final int APPLICATION_FAILURES = 22;
    private static final int TRAFFIC_COUNTERS = 23;
    /** 128 bytes before and after the published cells, so readers' loads share no line with other data. */
    private static final int PADDING = 16;

    /** Written with opaque stores by the engine thread as drops happen; read with opaque loads. */
    private final long[] malformed = new long[Malformed.count()];
    private final long[] drops = new long[EngineDrop.count()];
    /** The traffic counters as of the end of the last loop: opaque stores by {@link #publish}, opaque loads by readers. */
    private final long[] published = new long[PADDING + TRAFFIC_COUNTERS + PADDING];

    // Working values: the engine thread's alone, plain (see the class comment).
    long loops;
    long framesReceived;
    long framesTransmitted;
    long segmentsReceived;
    long segmentsSent;
    long resetsSent;
    long controlRepliesSent;
    long echoRepliesReceived;
    long icmpErrorsForFlows;
    long pathMtuUpdates;
    long timeWaitReuses;
    long activeOpens;
    long passiveOpens;
    long connectionsClosed;
    long timersFired;
    long commandsRun;
    long wakeups;
    long earlyFlushes;
    long framesHandedOff;
    long framesTakenOver;
    long neighborCopiesSent;
    long announcementsSent;
    long applicationFailures;

    /** Engine thread only. */
    void countMalformed(Malformed reason) {
        int i = reason.ordinal();
        CELL.setOpaque(malformed, i, malformed[i] + 1);
    }

    /** Engine thread only. */
    void countDrop(EngineDrop reason) {
        int i = reason.ordinal();
        CELL.setOpaque(drops, i, drops[i] + 1);
    }

    /** Copies the working traffic counters to the published cells; the engine thread, once per loop. */
    void publish() {
        set(LOOPS, loops);
        set(FRAMES_RECEIVED, framesReceived);
        set(FRAMES_TRANSMITTED, framesTransmitted);
        set(SEGMENTS_RECEIVED, segmentsReceived);
        set(SEGMENTS_SENT, segmentsSent);
        set(RESETS_SENT, resetsSent);
        set(CONTROL_REPLIES_SENT, controlRepliesSent);
        set(ECHO_REPLIES_RECEIVED, echoRepliesReceived);
        set(ICMP_ERRORS_FOR_FLOWS, icmpErrorsForFlows);
        set(PATH_MTU_UPDATES, pathMtuUpdates);
        set(TIME_WAIT_REUSES, timeWaitReuses);
        set(ACTIVE_OPENS, activeOpens);
        set(PASSIVE_OPENS, passiveOpens);
        set(CONNECTIONS_CLOSED, connectionsClosed);
        set(TIMERS_FIRED, timersFired);
        set(COMMANDS_RUN, commandsRun);
        set(EARLY_FLUSHES, earlyFlushes);
        set(WAKEUPS, wakeups);
        set(FRAMES_HANDED_OFF, framesHandedOff);
        set(FRAMES_TAKEN_OVER, framesTakenOver);
        set(NEIGHBOR_COPIES_SENT, neighborCopiesSent);
        set(ANNOUNCEMENTS_SENT, announcementsSent);
        set(APPLICATION_FAILURES, applicationFailures);
    }

    private void set(int cell, long value) {
        CELL.setOpaque(published, PADDING + cell, value);
    }

    private long get(int cell) {
        return (long) CELL.getOpaque(published, PADDING + cell);
    }

    /** Frames dropped by the parser for {@code reason}. Any thread. */
    public long malformed(Malformed reason) {
        return (long) CELL.getOpaque(malformed, reason.ordinal());
    }

    /** Frames dropped by the engine for {@code reason}. Any thread. */
    public long drops(EngineDrop reason) {
        return (long) CELL.getOpaque(drops, reason.ordinal());
    }

    // Traffic counters: as of the end of the engine's last loop, any thread.

    /** Loops of {@link Engine#doWork} run. */
    public long loops() { return get(LOOPS); }
    /** Frames taken from the device queue. */
    public long framesReceived() { return get(FRAMES_RECEIVED); }
    /** Frames the device accepted for sending. */
    public long framesTransmitted() { return get(FRAMES_TRANSMITTED); }
    /** Well-formed TCP segments addressed to us. */
    public long segmentsReceived() { return get(SEGMENTS_RECEIVED); }
    /** TCP segments built into frames (connections, listener replies and resets). */
    public long segmentsSent() { return get(SEGMENTS_SENT); }
    /** Resets sent for segments that reached no connection or a listener that refused them. */
    public long resetsSent() { return get(RESETS_SENT); }
    /** ARP replies, neighbour advertisements and echo replies sent by the IP control plane. */
    public long controlRepliesSent() { return get(CONTROL_REPLIES_SENT); }
    /** ICMP and ICMPv6 echo replies received (answers to pings sent by the application or a test). */
    public long echoRepliesReceived() { return get(ECHO_REPLIES_RECEIVED); }
    /** ICMP errors that named one of our flows. */
    public long icmpErrorsForFlows() { return get(ICMP_ERRORS_FOR_FLOWS); }
    /** ICMP "fragmentation needed" / "packet too big" errors that lowered a flow's MSS. */
    public long pathMtuUpdates() { return get(PATH_MTU_UPDATES); }
    /** New SYNs that reused a four-tuple held in TIME_WAIT (RFC 6191). */
    public long timeWaitReuses() { return get(TIME_WAIT_REUSES); }
    /** Connections opened by {@link Engine#connect} (shown after the next loop). */
    public long activeOpens() { return get(ACTIVE_OPENS); }
    /** Connections created by listeners. */
    public long passiveOpens() { return get(PASSIVE_OPENS); }
    /** Connections that reached CLOSED and left the flow table. */
    public long connectionsClosed() { return get(CONNECTIONS_CLOSED); }
    /** Connection timers fired. */
    public long timersFired() { return get(TIMERS_FIRED); }
    /** Application commands run. */
    public long commandsRun() { return get(COMMANDS_RUN); }
    /** Wakeups run after publishing events ({@link Engine#wakeAfterPublish}), at most one per subscriber per loop. */
    public long wakeups() { return get(WAKEUPS); }
    /** Device transmits made before the end of a loop because the 64-frame batch was full. */
    public long earlyFlushes() { return get(EARLY_FLUSHES); }
    /** Frames handed to the engine of the group that owns their flow (TCP segments, ICMP errors). */
    public long framesHandedOff() { return get(FRAMES_HANDED_OFF); }
    /** Frames of flows this engine owns that other engines of the group handed to it, processed as if received. */
    public long framesTakenOver() { return get(FRAMES_TAKEN_OVER); }
    /** Copies of received ARP and neighbour discovery frames handed to the other engines' neighbour caches. */
    public long neighborCopiesSent() { return get(NEIGHBOR_COPIES_SENT); }
    /** Gratuitous ARPs and unsolicited neighbour advertisements sent when the engine started. */
    public long announcementsSent() { return get(ANNOUNCEMENTS_SENT); }
    /** Commands, handlers and wakeups (application code on the engine thread) that threw; the engine went on. */
    public long applicationFailures() { return get(APPLICATION_FAILURES); }

    /** Every drop counted, malformed and engine reasons together. Any thread. */
    public long totalDrops() {
        long total = 0;
        for (int i = 1; i < malformed.length; i++) {
            total += (long) CELL.getOpaque(malformed, i);
        }
        for (int i = 1; i < drops.length; i++) {
            total += (long) CELL.getOpaque(drops, i);
        }
        return total;
    }

    /** A one-line summary with the drop reasons that are not zero. Any thread. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("loops=").append(loops())
                .append(" frames-in=").append(framesReceived()).append(" frames-out=").append(framesTransmitted())
                .append(" segments-in=").append(segmentsReceived()).append(" segments-out=").append(segmentsSent())
                .append(" resets-out=").append(resetsSent()).append(" control-replies=").append(controlRepliesSent());
        for (int i = 1; i < malformed.length; i++) {
            long count = (long) CELL.getOpaque(malformed, i);
            if (count != 0) {
                text.append(' ').append(Malformed.ofOrdinal(i).counterName()).append('=').append(count);
            }
        }
        for (int i = 1; i < drops.length; i++) {
            long count = (long) CELL.getOpaque(drops, i);
            if (count != 0) {
                text.append(' ').append(EngineDrop.ofOrdinal(i).counterName()).append('=').append(count);
            }
        }
        return text.toString();
    }
}
