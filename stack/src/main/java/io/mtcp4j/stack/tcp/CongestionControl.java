package io.mtcp4j.stack.tcp;

import java.util.List;
import java.util.Locale;

/**
 * Congestion control of one connection, in bytes: the congestion window ({@code cwnd}) and slow
 * start threshold ({@code ssthresh}) and how they react to what the control block observes.
 *
 * <h2>Who does what</h2>
 * The control block detects loss and runs loss recovery: it counts duplicate ACKs or keeps the
 * SACK scoreboard, decides when fast recovery (RFC 6675 with SACK, RFC 6582 NewReno without)
 * starts and ends, runs the retransmission timer, keeps the amount of data outstanding, and sends
 * while its estimate of data in the network (RFC 6675 "pipe") is below {@link #cwndBytes()}.
 * Congestion control only reacts to the events below; it never sees a segment.
 *
 * <h2>No cwnd inflation during recovery</h2>
 * {@link #onEnterRecovery} sets {@code cwnd = ssthresh}; this class never adds the RFC 6582
 * "+3 MSS" or the one MSS per further duplicate ACK. Without SACK the control block accounts for
 * those segments in its pipe estimate instead: every duplicate ACK means one segment left the
 * network, so pipe = outstanding - (duplicate ACKs x MSS) + retransmitted. Sending while
 * {@code pipe < cwnd} is then exactly RFC 6582's inflated-window rule, and a partial ACK needs no
 * "deflation" here (the control block's duplicate-ACK count restarts). With SACK, RFC 6675's pipe
 * works the same way. Proportional rate reduction (RFC 6937), if used, is likewise the control
 * block's: it paces sending during recovery; cwnd here is already the post-recovery target.
 *
 * <h2>Call sequence</h2>
 * {@link #init} once the MSS is known (after the handshake; it may be called again to reuse the
 * object). Then for every ACK that acknowledges new data {@link #onAck}; on the third duplicate
 * ACK (or the RFC 6675 / RACK trigger) {@link #onEnterRecovery}; when the recovery point is
 * acknowledged {@link #onExitRecovery}; on expiry of the retransmission timer
 * {@link #onRetransmissionTimeout} (any recovery in progress is over: the control block leaves it
 * without calling {@link #onExitRecovery}); before sending new data after the connection was quiet
 * {@link #onRestartAfterIdle}; on a path MTU change {@link #onMssChange}. Times are the engine's
 * clock in nanoseconds ({@code nowNs}); implementations never read a clock, start threads or do
 * I/O, and nothing allocates after construction.
 *
 * <p>Sizes are {@code int} bytes; {@code cwnd} never exceeds {@link #MAX_CWND_BYTES}, and an
 * {@code ssthresh} of {@link #INFINITE_SSTHRESH_BYTES} means "no threshold yet".
 */
public interface CongestionControl {
    /** The initial ssthresh: "arbitrarily high" (RFC 5681 3.1). */
    int INFINITE_SSTHRESH_BYTES = Integer.MAX_VALUE;

    /**
     * The cap on cwnd: 2^30 bytes, the largest window a peer can advertise with window scale 14
     * (65535 &lt;&lt; 14 is just below it). Larger would only overflow {@code int} arithmetic.
     */
    int MAX_CWND_BYTES = 1 << 30;

    /** The names {@link #create} accepts. */
    List<String> NAMES = List.of(Cubic.NAME, NewReno.NAME);

    /**
     * A new, uninitialised instance of the algorithm called {@code name} (ASCII case ignored).
     *
     * @throws IllegalArgumentException naming the value and the allowed names when it is unknown
     */
    static CongestionControl create(String name) {
        // Every connection calls this: the name as configured (normally lower case already) is
        // tried first, so that opening a connection allocates no lower-cased copy of it.
        String key = name == null ? "" : name;
        CongestionControl created = named(key);
        if (created == null) {
            created = named(key.toLowerCase(Locale.ROOT));
        }
        if (created == null) {
            throw new IllegalArgumentException("unknown congestion control '" + name + "'; allowed: " + String.join(", ", NAMES));
        }
        return created;
    }

    private static CongestionControl named(String key) {
        if (key == Cubic.NAME) { // the default, as TcpConfig holds it: no string switch at all
            return new Cubic();
        }
        return switch (key) {
            case Cubic.NAME -> new Cubic();
            case NewReno.NAME -> new NewReno();
            default -> null;
        };
    }

    /**
     * RFC 6928's initial window: {@code min(10 * MSS, max(2 * MSS, 14600))} bytes. It is also the
     * restart window of RFC 5681 4.1.
     */
    static int initialWindowBytes(int mssBytes) {
        return (int) Math.min(10L * mssBytes, Math.max(2L * mssBytes, 14_600L));
    }

    /** The algorithm's name as {@link #create} accepts it. */
    String name();

    /**
     * Starts a connection: cwnd = the initial window, ssthresh infinite, all history forgotten.
     *
     * @param handshakeRetransmitted the SYN or SYN-ACK was retransmitted; then the initial window
     *        is one MSS (RFC 5681 3.1, RFC 6928 2)
     */
    void init(int mssBytes, boolean handshakeRetransmitted, long nowNs);

    /** {@link #init(int, boolean, long)} for a handshake without retransmission. */
    default void init(int mssBytes, long nowNs) {
        init(mssBytes, false, nowNs);
    }

    /**
     * An ACK acknowledged {@code ackedBytes} of new data (SND.UNA advanced by that much; a
     * duplicate ACK is not an {@code onAck}). Grows cwnd with Appropriate Byte Counting (RFC 3465):
     * in slow start by at most 2 MSS per ACK (1 MSS during the slow start that follows a
     * retransmission timeout), in congestion avoidance per the algorithm.
     *
     * @param rttNs an RTT sample taken from this ACK (RFC 6298 with Karn's rule), or -1 for none
     * @param inRecovery the control block is in fast recovery: no growth (RFC 6582, RFC 6675)
     * @param appLimited the sender did not fill cwnd during the round trip this ACK ends: it had
     *        nothing to send, or the peer's window stopped it, while cwnd allowed more. Then cwnd
     *        does not grow (RFC 5681 and RFC 7661: growth is earned only by using the window; RFC
     *        9438 5.8 for CUBIC). A sender that was always cwnd-limited passes false.
     */
    void onAck(long nowNs, int ackedBytes, long rttNs, boolean inRecovery, boolean appLimited);

    /**
     * Fast retransmit: loss detected by duplicate ACKs or SACK, recovery begins. Sets ssthresh
     * per the algorithm from the flight size and {@code cwnd = ssthresh} (no inflation, see the
     * class comment).
     *
     * @param bytesInFlight FlightSize of RFC 5681: data sent and not cumulatively acknowledged
     */
    void onEnterRecovery(long nowNs, int bytesInFlight);

    /**
     * The recovery point was acknowledged (RFC 6582 3.2 step 3 "full acknowledgment"). To avoid a
     * burst, cwnd becomes {@code min(ssthresh, max(bytesInFlight, MSS) + MSS)} (RFC 6582 option 1;
     * never more than cwnd was); when less than ssthresh, slow start brings it back.
     *
     * @param bytesInFlight data outstanding after this ACK
     */
    void onExitRecovery(long nowNs, int bytesInFlight);

    /**
     * The retransmission timer expired (RFC 5681 eq. 4, RFC 9438 4.8): ssthresh per the algorithm
     * from the flight size, cwnd = 1 MSS (the loss window). When the timer expires again before any
     * ACK of new data (exponential backoff of the same segment), ssthresh is held, as RFC 5681 says.
     *
     * @param bytesInFlight FlightSize when the timer fired
     */
    void onRetransmissionTimeout(long nowNs, int bytesInFlight);

    /**
     * Call before sending new data. If nothing was sent for more than one RTO (RFC 5681 4.1), cwnd
     * becomes {@code min(restart window, cwnd)} where the restart window is the initial window;
     * ssthresh first becomes {@code max(ssthresh, 3/4 cwnd)} so that slow start climbs back to
     * where the connection was (RFC 2861 3, as Linux does).
     *
     * @param idleNs time since the last segment was sent
     * @param rtoNs the current retransmission timeout
     * @return whether the idle period exceeded the RTO (the restart happened)
     */
    boolean onRestartAfterIdle(long nowNs, long idleNs, long rtoNs);

    /**
     * The sender's MSS changed (path MTU discovery). cwnd and ssthresh keep their size in bytes,
     * raised to at least 1 and 2 MSS; growth steps use the new MSS from now on.
     */
    void onMssChange(int mssBytes);

    /**
     * The last reduction (recovery entry or first timeout) was spurious, as the control block
     * decided from D-SACK, Eifel timestamps (RFC 3522) or F-RTO (RFC 5682): cwnd and ssthresh go
     * back to at least their values before it, and the algorithm's own state with them.
     *
     * @return false when there was no reduction to undo (already undone, or none since init)
     */
    boolean undoLastReduction(long nowNs);

    /** The congestion window in bytes. */
    int cwndBytes();

    /** The slow start threshold in bytes; {@link #INFINITE_SSTHRESH_BYTES} until the first loss. */
    int ssthreshBytes();

    /** The MSS the window is counted in. */
    int mssBytes();

    /** cwnd is below ssthresh: ACKs grow it by slow start. */
    default boolean inSlowStart() {
        return cwndBytes() < ssthreshBytes();
    }
}
