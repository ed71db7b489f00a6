package io.mtcp4j.stack.tcp;

/**
 * What NewReno and CUBIC share: RFC 5681 slow start with Appropriate Byte Counting (RFC 3465),
 * the loss and timeout bookkeeping, restart after idle, MSS changes and undo. Subclasses supply
 * the congestion avoidance increase and the ssthresh after a loss, and hear about events that
 * reset their own state.
 */
abstract sealed class AbstractCongestionControl implements CongestionControl permits Cubic, NewReno {
    /** RFC 3465 2.2: L, the most slow start grows cwnd per ACK, in MSS; 1 after a timeout (2.3). */
    static final int SLOW_START_LIMIT_SEGMENTS = 2;

    // Package-private for the two subclasses only; everyone else reads them through the accessors.
    int mssBytes;
    int cwndBytes;
    int ssthreshBytes;
    /** RFC 3465 2.1 "bytes_acked" in congestion avoidance: acknowledged bytes not yet turned into growth. */
    long avoidanceAckedBytes;
    /** Slow start after a retransmission timeout grows by at most 1 MSS per ACK (RFC 3465 2.3). */
    private boolean slowStartAfterTimeout;
    /** A timeout happened and no new data was acknowledged since: a further timeout is a backoff. */
    private boolean timeoutBackoff;

    private boolean undoAvailable;
    private int cwndBeforeReductionBytes;
    private int ssthreshBeforeReductionBytes;

    @Override
    public void init(int mssBytes, boolean handshakeRetransmitted, long nowNs) {
        requirePositiveMss(mssBytes);
        this.mssBytes = mssBytes;
        cwndBytes = handshakeRetransmitted ? mssBytes : CongestionControl.initialWindowBytes(mssBytes);
        ssthreshBytes = INFINITE_SSTHRESH_BYTES;
        avoidanceAckedBytes = 0;
        slowStartAfterTimeout = false;
        timeoutBackoff = false;
        undoAvailable = false;
        initAlgorithm();
    }

    @Override
    public void onAck(long nowNs, int ackedBytes, long rttNs, boolean inRecovery, boolean appLimited) {
        if (ackedBytes <= 0) {
            return;
        }
        timeoutBackoff = false;
        observeAck(nowNs, rttNs, inRecovery || appLimited);
        if (inRecovery || appLimited) {
            return;
        }
        long remainingBytes = ackedBytes;
        if (cwndBytes < ssthreshBytes) {
            remainingBytes = slowStart(remainingBytes);
            if (remainingBytes == 0) {
                return;
            }
        }
        congestionAvoidance(nowNs, remainingBytes);
    }

    /**
     * RFC 5681 3.1 with RFC 3465 2.2: cwnd grows by the bytes acknowledged, at most L MSS, and not
     * past ssthresh. Returns the acknowledged bytes left over for congestion avoidance once cwnd
     * reaches ssthresh (as Linux does), else 0.
     */
    private long slowStart(long ackedBytes) {
        int limitSegments = slowStartAfterTimeout ? 1 : SLOW_START_LIMIT_SEGMENTS;
        long increaseBytes = Math.min(ackedBytes, (long) limitSegments * mssBytes);
        long roomBytes = Math.min((long) ssthreshBytes, MAX_CWND_BYTES) - cwndBytes;
        if (increaseBytes < roomBytes) {
            cwndBytes += (int) increaseBytes;
            return 0;
        }
        cwndBytes += (int) Math.max(0, roomBytes);
        slowStartAfterTimeout = false;
        return cwndBytes >= MAX_CWND_BYTES ? 0 : ackedBytes - Math.max(0, roomBytes);
    }

    @Override
    public void onEnterRecovery(long nowNs, int bytesInFlight) {
        rememberForUndo();
        onCongestionEvent(nowNs, false);
        ssthreshBytes = ssthreshAfterLoss(bytesInFlight);
        cwndBytes = ssthreshBytes;
        avoidanceAckedBytes = 0;
        slowStartAfterTimeout = false;
    }

    @Override
    public void onExitRecovery(long nowNs, int bytesInFlight) {
        long burstLimitBytes = (long) Math.max(bytesInFlight, mssBytes) + mssBytes;
        // cwnd equals ssthresh throughout recovery; the extra min only matters if the control block
        // exits without entering or after an undo, and then it must not raise cwnd.
        cwndBytes = (int) Math.min(Math.min(cwndBytes, ssthreshBytes), burstLimitBytes);
        avoidanceAckedBytes = 0;
    }

    @Override
    public void onRetransmissionTimeout(long nowNs, int bytesInFlight) {
        if (!timeoutBackoff) {
            rememberForUndo();
            onCongestionEvent(nowNs, true);
            ssthreshBytes = ssthreshAfterLoss(bytesInFlight);
        }
        cwndBytes = mssBytes;
        avoidanceAckedBytes = 0;
        slowStartAfterTimeout = true;
        timeoutBackoff = true;
    }

    @Override
    public boolean onRestartAfterIdle(long nowNs, long idleNs, long rtoNs) {
        if (idleNs <= rtoNs) {
            return false;
        }
        int restartWindowBytes = CongestionControl.initialWindowBytes(mssBytes);
        if (cwndBytes > restartWindowBytes) {
            ssthreshBytes = (int) Math.max(ssthreshBytes, 3L * cwndBytes / 4);
            cwndBytes = restartWindowBytes;
        }
        avoidanceAckedBytes = 0;
        resetAlgorithm();
        return true;
    }

    @Override
    public void onMssChange(int mssBytes) {
        requirePositiveMss(mssBytes);
        this.mssBytes = mssBytes;
        cwndBytes = Math.min(MAX_CWND_BYTES, Math.max(cwndBytes, mssBytes));
        if (ssthreshBytes != INFINITE_SSTHRESH_BYTES) {
            ssthreshBytes = Math.max(ssthreshBytes, 2 * mssBytes);
        }
        avoidanceAckedBytes = 0;
        resetAlgorithm();
    }

    @Override
    public boolean undoLastReduction(long nowNs) {
        if (!undoAvailable) {
            return false;
        }
        undoAvailable = false;
        cwndBytes = Math.max(cwndBytes, cwndBeforeReductionBytes);
        ssthreshBytes = Math.max(ssthreshBytes, ssthreshBeforeReductionBytes);
        avoidanceAckedBytes = 0;
        slowStartAfterTimeout = false;
        timeoutBackoff = false;
        restoreAlgorithm();
        return true;
    }

    @Override
    public int cwndBytes() {
        return cwndBytes;
    }

    @Override
    public int ssthreshBytes() {
        return ssthreshBytes;
    }

    @Override
    public int mssBytes() {
        return mssBytes;
    }

    /** Adds {@code increaseBytes} to cwnd, up to {@link #MAX_CWND_BYTES}. */
    final void growCwnd(long increaseBytes) {
        cwndBytes = (int) Math.min(MAX_CWND_BYTES, cwndBytes + increaseBytes);
    }

    /** At least 2 MSS, as every ssthresh rule in RFC 5681 and RFC 9438 requires. */
    final int atLeastTwoSegments(long ssthreshBytes) {
        return (int) Math.max(ssthreshBytes, 2L * mssBytes);
    }

    /** Congestion avoidance growth for {@code ackedBytes} of newly acknowledged data (cwnd-limited, not in recovery). */
    abstract void congestionAvoidance(long nowNs, long ackedBytes);

    /** The ssthresh after a loss or timeout, from the flight size; at least 2 MSS. */
    abstract int ssthreshAfterLoss(int bytesInFlight);

    /** Every ACK of new data before any growth decision; {@code noGrowth} when in recovery or app-limited. */
    void observeAck(long nowNs, long rttNs, boolean noGrowth) {}

    /** A loss ({@code timeout} false) or first timeout, before cwnd and ssthresh change. */
    void onCongestionEvent(long nowNs, boolean timeout) {}

    /** Forget everything the algorithm learnt: a new connection. */
    void initAlgorithm() {}

    /** Start growth afresh from the current cwnd (restart after idle, MSS change); cwnd and ssthresh are already set. */
    void resetAlgorithm() {}

    /** Save the algorithm's own state beside cwnd and ssthresh for {@link #undoLastReduction}. */
    void rememberAlgorithmForUndo() {}

    /** Restore what {@link #rememberAlgorithmForUndo} saved. */
    void restoreAlgorithm() {}

    private void rememberForUndo() {
        undoAvailable = true;
        cwndBeforeReductionBytes = cwndBytes;
        ssthreshBeforeReductionBytes = ssthreshBytes;
        rememberAlgorithmForUndo();
    }

    private static void requirePositiveMss(int mssBytes) {
        if (mssBytes <= 0) {
            throw new IllegalArgumentException("MSS must be positive, got " + mssBytes);
        }
    }

    @Override
    public String toString() {
        return name() + "[cwnd=" + cwndBytes + " ssthresh=" + ssthreshBytes + " mss=" + mssBytes + "]";
    }
}
