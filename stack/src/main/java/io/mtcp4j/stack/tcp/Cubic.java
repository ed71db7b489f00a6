package io.mtcp4j.stack.tcp;

/**
 * CUBIC congestion control (RFC 9438), the default.
 *
 * <p>After a congestion event the window follows, in congestion avoidance,
 * <pre>
 *   W_cubic(t) = C * (t - K)^3 + W_max                      (RFC 9438 eq. 1)
 *   K = cbrt((W_max - cwnd_epoch) / C)                       (eq. 2)
 * </pre>
 * in segments and seconds, where t is the time since the current congestion avoidance stage (the
 * "epoch") began, cwnd_epoch the window then, and W_max the window at the last congestion event:
 * concave up to W_max (reached at t = K), flat around it, convex beyond. Per ACK cwnd moves toward
 * {@code target = W_cubic(t + RTT)} by {@code (target - cwnd) / cwnd} per acknowledged segment,
 * with target clamped to {@code [cwnd, 1.5 * cwnd]} (4.4, 4.5). RTT here is the smallest sample
 * seen (as Linux uses its delay_min), 0 until the first sample. Where Reno would be faster the
 * Reno-friendly estimate W_est wins (4.3): it starts at cwnd_epoch and grows by
 * {@code alpha_cubic * segments_acked / cwnd} with {@code alpha_cubic = 3 (1 - beta) / (1 + beta)},
 * and by 1 once it has reached the window before the last reduction; whenever
 * {@code W_cubic(t) < W_est}, cwnd becomes W_est.
 *
 * <p>On loss (4.6, 4.7): {@code ssthresh = max(FlightSize * beta_cubic, 2 MSS)} with
 * beta_cubic = 0.7 and cwnd = ssthresh; with fast convergence (on by default) a loss below the
 * previous W_max sets {@code W_max = cwnd * (1 + beta) / 2} to release bandwidth to new flows,
 * else {@code W_max = cwnd}. On timeout (4.8) ssthresh is set the same way, cwnd is 1 MSS, and the
 * first epoch afterwards uses K = 0 and W_max = cwnd_epoch (so growth is convex from the start);
 * the same holds for an epoch that begins without any congestion event behind it (4.10).
 *
 * <p>The epoch starts at the first ACK in congestion avoidance after a loss, timeout, restart
 * after idle, MSS change or undo. Time during which the sender is application-limited does not
 * count in t (5.8): an app-limited ACK moves the epoch start forward by the time since the
 * previous ACK, so W_cubic does not run ahead while the window is unused.
 *
 * <p>Slow start is RFC 5681's with ABC; HyStart++ (RFC 9406) is not implemented: it would need
 * per-round RTT tracking and is optional in RFC 9438 4.10. Windows are kept in bytes (fractional
 * growth accumulates in a remainder) and converted to segments of the current MSS for the
 * formulas.
 */
public final class Cubic extends AbstractCongestionControl {
    public static final String NAME = "cubic";
    /** C of RFC 9438 5.1, in segments per second cubed. */
    public static final double C = 0.4;
    /** beta_cubic of RFC 9438 4.6: the window after a loss is 0.7 of the flight size. */
    public static final double BETA = 0.7;
    /** alpha_cubic of RFC 9438 4.3: Reno-friendly additive increase, 3 (1 - beta) / (1 + beta), about 0.53. */
    public static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    /** The most a target may exceed cwnd: 1.5 cwnd (RFC 9438 4.4). */
    private static final double MAX_TARGET_RATIO = 1.5;
    private static final double SECONDS_PER_NS = 1e-9;

    private final boolean fastConvergence;

    /** W_max is defined: a congestion event (not a timeout) set it, or an epoch started since. */
    private boolean windowMaxKnown;
    private double windowMaxBytes;
    /** cwnd before the most recent reduction (cwnd_prior); 0 before the first one. */
    private double cwndPriorBytes;

    private boolean epochActive;
    private long epochStartNs;
    private double cwndEpochBytes;
    private double kSeconds;
    private double renoFriendlyBytes;
    /** Growth below one byte not yet added to cwnd. */
    private double growthRemainderBytes;

    private long minRttNs = -1;
    private boolean ackSeen;
    private long lastAckNs;

    private boolean savedWindowMaxKnown;
    private double savedWindowMaxBytes;
    private double savedCwndPriorBytes;

    /** CUBIC with fast convergence. */
    public Cubic() {
        this(true);
    }

    /** CUBIC with fast convergence (RFC 9438 4.7) on or off. */
    public Cubic(boolean fastConvergence) {
        this.fastConvergence = fastConvergence;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** K of RFC 9438 eq. 2, in seconds: when W_cubic climbs from {@code cwndEpochSegments} back to {@code windowMaxSegments}. */
    public static double kSeconds(double windowMaxSegments, double cwndEpochSegments) {
        return Math.cbrt((windowMaxSegments - cwndEpochSegments) / C);
    }

    /** W_cubic(t) of RFC 9438 eq. 1, in segments. */
    public static double windowSegments(double tSeconds, double kSeconds, double windowMaxSegments) {
        double offset = tSeconds - kSeconds;
        return C * offset * offset * offset + windowMaxSegments;
    }

    /** W_max in bytes, or -1 while undefined (before the first loss, and after a timeout until the next epoch). */
    public double windowMaxBytes() {
        return windowMaxKnown ? windowMaxBytes : -1;
    }

    /** K of the current epoch in seconds; meaningful while an epoch is active. */
    public double kSeconds() {
        return kSeconds;
    }

    /** W_est of the current epoch in bytes; meaningful while an epoch is active. */
    public double renoFriendlyWindowBytes() {
        return renoFriendlyBytes;
    }

    /** cwnd before the most recent reduction, in bytes; 0 before the first. */
    public double cwndPriorBytes() {
        return cwndPriorBytes;
    }

    /** A congestion avoidance epoch is running (t counts from {@link #epochStartNs()}). */
    public boolean epochActive() {
        return epochActive;
    }

    /** Start of the current epoch, moved forward over application-limited time. */
    public long epochStartNs() {
        return epochStartNs;
    }

    /** The smallest RTT sample seen, or -1 before the first. */
    public long minRttNs() {
        return minRttNs;
    }

    @Override
    void initAlgorithm() {
        windowMaxKnown = false;
        windowMaxBytes = 0;
        cwndPriorBytes = 0;
        minRttNs = -1;
        ackSeen = false;
        resetAlgorithm();
    }

    @Override
    void resetAlgorithm() {
        epochActive = false;
        growthRemainderBytes = 0;
    }

    @Override
    void observeAck(long nowNs, long rttNs, boolean noGrowth) {
        if (rttNs >= 0 && (minRttNs < 0 || rttNs < minRttNs)) {
            minRttNs = rttNs;
        }
        if (noGrowth && epochActive && ackSeen) {
            epochStartNs += nowNs - lastAckNs;
        }
        ackSeen = true;
        lastAckNs = nowNs;
    }

    @Override
    void congestionAvoidance(long nowNs, long ackedBytes) {
        if (!epochActive) {
            startEpoch(nowNs);
        }
        double mss = mssBytes;
        double cwnd = cwndBytes + growthRemainderBytes;
        double tSeconds = (nowNs - epochStartNs) * SECONDS_PER_NS;
        double rttSeconds = minRttNs < 0 ? 0 : minRttNs * SECONDS_PER_NS;
        double windowMaxSegments = windowMaxBytes / mss;

        // 4.3: W_est grows by alpha * segments_acked / cwnd segments; alpha becomes 1 at cwnd_prior.
        double alpha = renoFriendlyBytes >= cwndPriorBytes ? 1 : ALPHA;
        renoFriendlyBytes += alpha * ackedBytes * mss / cwnd;

        double next;
        if (windowSegments(tSeconds, kSeconds, windowMaxSegments) * mss < renoFriendlyBytes) {
            next = Math.max(cwnd, renoFriendlyBytes);
        } else {
            double targetBytes = windowSegments(tSeconds + rttSeconds, kSeconds, windowMaxSegments) * mss;
            targetBytes = Math.clamp(targetBytes, cwnd, MAX_TARGET_RATIO * cwnd);
            next = cwnd + (targetBytes - cwnd) / cwnd * ackedBytes;
        }
        setCwnd(next);
    }

    private void startEpoch(long nowNs) {
        epochActive = true;
        epochStartNs = nowNs;
        cwndEpochBytes = cwndBytes;
        renoFriendlyBytes = cwndBytes;
        growthRemainderBytes = 0;
        if (windowMaxKnown) {
            kSeconds = kSeconds(windowMaxBytes / mssBytes, cwndEpochBytes / mssBytes);
        } else {
            // 4.8 after a timeout, 4.10 without any congestion event: K = 0, W_max = cwnd_epoch.
            windowMaxKnown = true;
            windowMaxBytes = cwndEpochBytes;
            kSeconds = 0;
        }
    }

    private void setCwnd(double nextBytes) {
        if (nextBytes >= MAX_CWND_BYTES) {
            cwndBytes = MAX_CWND_BYTES;
            growthRemainderBytes = 0;
        } else {
            cwndBytes = (int) nextBytes;
            growthRemainderBytes = nextBytes - cwndBytes;
        }
    }

    @Override
    void onCongestionEvent(long nowNs, boolean timeout) {
        cwndPriorBytes = cwndBytes;
        if (timeout) {
            windowMaxKnown = false;
        } else if (fastConvergence && windowMaxKnown && cwndBytes < windowMaxBytes) {
            windowMaxBytes = cwndBytes * (1 + BETA) / 2;
        } else {
            windowMaxBytes = cwndBytes;
            windowMaxKnown = true;
        }
        resetAlgorithm();
    }

    /** RFC 9438 4.6 (and 4.8 for timeouts). */
    @Override
    int ssthreshAfterLoss(int bytesInFlight) {
        return atLeastTwoSegments((long) (bytesInFlight * BETA));
    }

    @Override
    void rememberAlgorithmForUndo() {
        savedWindowMaxKnown = windowMaxKnown;
        savedWindowMaxBytes = windowMaxBytes;
        savedCwndPriorBytes = cwndPriorBytes;
    }

    @Override
    void restoreAlgorithm() {
        windowMaxKnown = savedWindowMaxKnown;
        windowMaxBytes = savedWindowMaxBytes;
        cwndPriorBytes = savedCwndPriorBytes;
        resetAlgorithm();
    }
}
