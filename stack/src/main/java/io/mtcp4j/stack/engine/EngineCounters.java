package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.wire.Malformed;

/**
 * One engine's traffic counters and drops by name: {@link Malformed} reasons from the frame
 * parser and {@link EngineDrop} reasons of the engine itself. The IP control plane's
 * {@link io.mtcp4j.stack.ip.IpDrop} reasons stay in its components' counters, which
 * {@link Engine#ipDrops} sums.
 *
 * <p>Written by the engine thread alone, with plain stores: this version is read on the engine
 * thread (tests step engines in one thread). Publishing them to other threads (JMX, a
 * {@code mtcp4j stat} command) comes with the cross-thread data plane.
 */
public final class EngineCounters {
    private final long[] malformed = new long[Malformed.count()];
    private final long[] drops = new long[EngineDrop.count()];

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

    void countMalformed(Malformed reason) {
        malformed[reason.ordinal()]++;
    }

    void countDrop(EngineDrop reason) {
        drops[reason.ordinal()]++;
    }

    public long malformed(Malformed reason) {
        return malformed[reason.ordinal()];
    }

    public long drops(EngineDrop reason) {
        return drops[reason.ordinal()];
    }

    /** Loops of {@link Engine#doWork} run. */
    public long loops() { return loops; }
    /** Frames taken from the device queue. */
    public long framesReceived() { return framesReceived; }
    /** Frames the device accepted for sending. */
    public long framesTransmitted() { return framesTransmitted; }
    /** Well-formed TCP segments addressed to us. */
    public long segmentsReceived() { return segmentsReceived; }
    /** TCP segments built into frames (connections, listener replies and resets). */
    public long segmentsSent() { return segmentsSent; }
    /** Resets sent for segments that reached no connection or a listener that refused them. */
    public long resetsSent() { return resetsSent; }
    /** ARP replies, neighbour advertisements and echo replies sent by the IP control plane. */
    public long controlRepliesSent() { return controlRepliesSent; }
    /** ICMP and ICMPv6 echo replies received (answers to pings sent by the application or a test). */
    public long echoRepliesReceived() { return echoRepliesReceived; }
    /** ICMP errors that named one of our flows. */
    public long icmpErrorsForFlows() { return icmpErrorsForFlows; }
    /** ICMP "fragmentation needed" / "packet too big" errors that lowered a flow's MSS. */
    public long pathMtuUpdates() { return pathMtuUpdates; }
    /** New SYNs that reused a four-tuple held in TIME_WAIT (RFC 6191). */
    public long timeWaitReuses() { return timeWaitReuses; }
    /** Connections opened by {@link Engine#connect}. */
    public long activeOpens() { return activeOpens; }
    /** Connections created by listeners. */
    public long passiveOpens() { return passiveOpens; }
    /** Connections that reached CLOSED and left the flow table. */
    public long connectionsClosed() { return connectionsClosed; }
    /** Connection timers fired. */
    public long timersFired() { return timersFired; }
    /** Application commands run. */
    public long commandsRun() { return commandsRun; }
    /** Wakeups run after publishing events ({@link Engine#wakeAfterPublish}), at most one per subscriber per loop. */
    public long wakeups() { return wakeups; }
    /** Device transmits made before the end of a loop because the 64-frame batch was full. */
    public long earlyFlushes() { return earlyFlushes; }
    /** Frames handed to the engine of the group that owns their flow (TCP segments, ICMP errors). */
    public long framesHandedOff() { return framesHandedOff; }
    /** Frames of flows this engine owns that other engines of the group handed to it, processed as if received. */
    public long framesTakenOver() { return framesTakenOver; }
    /** Copies of received ARP and neighbour discovery frames handed to the other engines' neighbour caches. */
    public long neighborCopiesSent() { return neighborCopiesSent; }
    /** Gratuitous ARPs and unsolicited neighbour advertisements sent when the engine started. */
    public long announcementsSent() { return announcementsSent; }

    /** Every drop counted, malformed and engine reasons together. */
    public long totalDrops() {
        long total = 0;
        for (int i = 1; i < malformed.length; i++) {
            total += malformed[i];
        }
        for (int i = 1; i < drops.length; i++) {
            total += drops[i];
        }
        return total;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("loops=").append(loops)
                .append(" frames-in=").append(framesReceived).append(" frames-out=").append(framesTransmitted)
                .append(" segments-in=").append(segmentsReceived).append(" segments-out=").append(segmentsSent)
                .append(" resets-out=").append(resetsSent).append(" control-replies=").append(controlRepliesSent);
        for (int i = 1; i < malformed.length; i++) {
            if (malformed[i] != 0) {
                text.append(' ').append(Malformed.ofOrdinal(i).counterName()).append('=').append(malformed[i]);
            }
        }
        for (int i = 1; i < drops.length; i++) {
            if (drops[i] != 0) {
                text.append(' ').append(EngineDrop.ofOrdinal(i).counterName()).append('=').append(drops[i]);
            }
        }
        return text.toString();
    }
}
