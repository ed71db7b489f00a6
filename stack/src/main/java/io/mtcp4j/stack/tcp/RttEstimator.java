package io.mtcp4j.stack.tcp;

/**
 * Round-trip time estimation and the retransmission timeout of RFC 6298, with the per-sample
 * weighting of RFC 7323 Appendix G for when timestamps give many samples per round trip. All
 * times are nanoseconds, like the {@code nowNs} the control block is driven with.
 *
 * <h2>The computation (RFC 6298 section 2)</h2>
 * <ul>
 *   <li>Before any sample, RTO is the initial RTO (1 s, section 2.1).</li>
 *   <li>First sample R: SRTT = R, RTTVAR = R/2 (2.2).</li>
 *   <li>Later samples R': RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'| with the old SRTT, then
 *       SRTT = 7/8 SRTT + 1/8 R' (2.3).</li>
 *   <li>RTO = SRTT + max(G, K * RTTVAR) with K = 4 and G the clock granularity, then clamped to
 *       [min RTO, max RTO] (2.4, 2.5).</li>
 * </ul>
 * Arithmetic is integer nanoseconds with truncating division; at that resolution the rounding
 * is far below any clock the engine has.
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li><b>Min RTO 200 ms</b> by default, not RFC 6298's 1 s (2.4 "SHOULD"). Linux
 *       ({@code TCP_RTO_MIN}) and most deployed stacks use 200 ms; our peers will, and a 1 s floor
 *       makes every tail loss on a LAN cost a second. It is configurable; pass
 *       {@link #RFC6298_MIN_RTO_NS} for the RFC's value. Linux floors RTTVAR rather than RTO
 *       (RTO >= SRTT + 200 ms); we clamp RTO itself, as the RFC writes it.</li>
 *   <li><b>Max RTO 120 s</b> by default, Linux's {@code TCP_RTO_MAX}; RFC 6298 2.5 asks for at
 *       least 60 s.</li>
 *   <li><b>G = 1 ms</b> by default: the engine's timers are not finer than that.</li>
 * </ul>
 *
 * <h2>What the caller does</h2>
 * <ul>
 *   <li>Karn's algorithm (RFC 6298 section 3): without timestamps, never {@link #sample} the RTT
 *       of a segment that was retransmitted. With timestamps (RFC 7323 section 4.1) the echoed
 *       TSecr identifies the transmission, so every ACK that advances SND.UNA can give a sample,
 *       retransmissions included; pass {@code expectedSamples} = ceil(FlightSize / (2 * SMSS)) so
 *       that a window's worth of samples weighs what one sample per round trip would
 *       (RFC 7323 Appendix G).</li>
 *   <li>On a retransmission timeout call {@link #backoff()} (RFC 6298 5.5). A valid new sample
 *       recomputes RTO and so ends the backoff; {@link #resetBackoff()} ends it without a sample
 *       (for example when an ACK of new data arrives but Karn's rule forbids sampling it, as
 *       Linux does).</li>
 *   <li>If the SYN or SYN-ACK timed out and no sample was taken, call
 *       {@link #fallBackAfterHandshakeTimeout()} when the connection is established (RFC 6298 5.7).</li>
 * </ul>
 * Per-connection state, no allocation, not thread-safe (one engine thread owns it).
 */
public final class RttEstimator {
    public static final long NS_PER_MS = 1_000_000L;
    public static final long NS_PER_SECOND = 1_000_000_000L;

    /** RFC 6298 2.1: RTO before any sample. */
    public static final long DEFAULT_INITIAL_RTO_NS = NS_PER_SECOND;
    /** Linux's TCP_RTO_MIN; see the class comment for why not the RFC's 1 s. */
    public static final long DEFAULT_MIN_RTO_NS = 200 * NS_PER_MS;
    /** RFC 6298 2.4's recommended floor, for callers who want it. */
    public static final long RFC6298_MIN_RTO_NS = NS_PER_SECOND;
    /** Linux's TCP_RTO_MAX; RFC 6298 2.5 requires at least 60 s. */
    public static final long DEFAULT_MAX_RTO_NS = 120 * NS_PER_SECOND;
    /** G: the engine's timer resolution. */
    public static final long DEFAULT_CLOCK_GRANULARITY_NS = NS_PER_MS;
    /** RFC 6298 5.7: RTO once data transfer begins after the SYN or SYN-ACK timed out. */
    public static final long HANDSHAKE_TIMEOUT_FALLBACK_RTO_NS = 3 * NS_PER_SECOND;
    /** K in RFC 6298 2.2-2.3. */
    public static final int K = 4;
    /**
     * Larger samples are refused: no real path has a 36-year round trip, and the bound keeps
     * {@code SRTT + K * RTTVAR} from overflowing (a peer can echo any timestamp it likes).
     */
    public static final long MAX_SAMPLE_NS = 1L << 60;

    private final long initialRtoNs;
    private final long minRtoNs;
    private final long maxRtoNs;
    private final long clockGranularityNs;

    private boolean hasSample;
    private long srttNs;
    private long rttvarNs;
    /** RTO as computed from SRTT and RTTVAR (or the initial value), before any backoff. */
    private long baseRtoNs;
    /** The RTO to arm the timer with: baseRtoNs doubled per backoff, capped at maxRtoNs. */
    private long rtoNs;
    private int backoffCount;
    private long latestRttNs;
    private long minRttNs;

    /** Defaults: initial RTO 1 s, min 200 ms, max 120 s, G 1 ms. */
    public RttEstimator() {
        this(DEFAULT_INITIAL_RTO_NS, DEFAULT_MIN_RTO_NS, DEFAULT_MAX_RTO_NS, DEFAULT_CLOCK_GRANULARITY_NS);
    }

    /**
     * @param initialRtoNs       RTO before any sample, within [minRtoNs, maxRtoNs]
     * @param minRtoNs           floor of the computed RTO, positive
     * @param maxRtoNs           ceiling of the RTO, also after backoff
     * @param clockGranularityNs G, at least 0
     */
    public RttEstimator(long initialRtoNs, long minRtoNs, long maxRtoNs, long clockGranularityNs) {
        if (minRtoNs <= 0 || maxRtoNs < minRtoNs || maxRtoNs > MAX_SAMPLE_NS) {
            throw new IllegalArgumentException("need 0 < minRtoNs <= maxRtoNs <= 2^60: " + minRtoNs + ", " + maxRtoNs);
        }
        if (initialRtoNs < minRtoNs || initialRtoNs > maxRtoNs) {
            throw new IllegalArgumentException("initialRtoNs " + initialRtoNs + " outside [" + minRtoNs + ", " + maxRtoNs + "]");
        }
        if (clockGranularityNs < 0 || clockGranularityNs > MAX_SAMPLE_NS) {
            throw new IllegalArgumentException("clockGranularityNs out of range: " + clockGranularityNs);
        }
        this.initialRtoNs = initialRtoNs;
        this.minRtoNs = minRtoNs;
        this.maxRtoNs = maxRtoNs;
        this.clockGranularityNs = clockGranularityNs;
        reset();
    }

    /** Forgets every sample and backoff: the state of a new connection. */
    public void reset() {
        hasSample = false;
        srttNs = 0;
        rttvarNs = 0;
        baseRtoNs = initialRtoNs;
        rtoNs = initialRtoNs;
        backoffCount = 0;
        latestRttNs = 0;
        minRttNs = 0;
    }

    /** Takes one RTT measurement; as {@code sample(rttNs, 1)}. */
    public boolean sample(long rttNs) {
        return sample(rttNs, 1);
    }

    /**
     * Takes one RTT measurement and recomputes RTO, ending any backoff.
     *
     * @param rttNs           the measured round trip, 0 to {@link #MAX_SAMPLE_NS}
     * @param expectedSamples how many samples this round trip is expected to give (RFC 7323
     *                        Appendix G's ExpectedSamples); 1 without timestamps. Values below 1
     *                        count as 1. The first sample is taken whole regardless.
     * @return false, changing nothing, for a negative or absurd sample (a clock step or a
     *         forged timestamp echo)
     */
    public boolean sample(long rttNs, int expectedSamples) {
        if (rttNs < 0 || rttNs > MAX_SAMPLE_NS) {
            return false;
        }
        long weight = Math.max(1, expectedSamples);
        if (!hasSample) {
            // RFC 6298 2.2
            srttNs = rttNs;
            rttvarNs = rttNs / 2;
            hasSample = true;
            minRttNs = rttNs;
        } else {
            // RFC 6298 2.3 (beta = 1/4, alpha = 1/8), each divided by ExpectedSamples per RFC 7323
            // Appendix G. RTTVAR first: it uses the SRTT from before this sample.
            long error = Math.abs(srttNs - rttNs);
            rttvarNs += (error - rttvarNs) / (4 * weight);
            srttNs += (rttNs - srttNs) / (8 * weight);
            minRttNs = Math.min(minRttNs, rttNs);
        }
        latestRttNs = rttNs;
        baseRtoNs = clamp(srttNs + Math.max(clockGranularityNs, K * rttvarNs));
        rtoNs = baseRtoNs;
        backoffCount = 0;
        return true;
    }

    /** RFC 6298 5.5: the retransmission timer expired, so double RTO (up to the maximum). */
    public void backoff() {
        backoffCount++;
        rtoNs = rtoNs > maxRtoNs / 2 ? maxRtoNs : rtoNs * 2;
    }

    /** Ends the backoff: RTO returns to the value computed from SRTT and RTTVAR. */
    public void resetBackoff() {
        backoffCount = 0;
        rtoNs = baseRtoNs;
    }

    /**
     * RFC 6298 5.7: the SYN or SYN-ACK was retransmitted and no RTT sample was taken, so when data
     * transfer begins RTO becomes 3 s (clamped to the maximum) instead of staying at the smaller
     * initial value. Does nothing once a sample exists: a measured RTT beats the fallback.
     */
    public void fallBackAfterHandshakeTimeout() {
        if (hasSample) {
            return;
        }
        baseRtoNs = Math.min(maxRtoNs, Math.max(baseRtoNs, HANDSHAKE_TIMEOUT_FALLBACK_RTO_NS));
        rtoNs = baseRtoNs;
        backoffCount = 0;
    }

    /** The retransmission timeout to arm the timer with now, backoff included. */
    public long rtoNs() {
        return rtoNs;
    }

    /** SRTT, 0 before the first sample. */
    public long srttNs() {
        return srttNs;
    }

    /** RTTVAR, 0 before the first sample. */
    public long rttvarNs() {
        return rttvarNs;
    }

    public boolean hasSample() {
        return hasSample;
    }

    /** Timer expirations since the last sample or {@link #resetBackoff()}. */
    public int backoffCount() {
        return backoffCount;
    }

    /** The most recent sample (RACK, RFC 8985, wants it), 0 before the first. */
    public long latestRttNs() {
        return latestRttNs;
    }

    /** The smallest sample since {@link #reset()} (0 before the first); windowed minima are congestion control's. */
    public long minRttNs() {
        return minRttNs;
    }

    public long minRtoNs() {
        return minRtoNs;
    }

    public long maxRtoNs() {
        return maxRtoNs;
    }

    public long initialRtoNs() {
        return initialRtoNs;
    }

    public long clockGranularityNs() {
        return clockGranularityNs;
    }

    private long clamp(long valueNs) {
        return Math.min(maxRtoNs, Math.max(minRtoNs, valueNs));
    }

    @Override
    public String toString() {
        return "RttEstimator[srttNs=" + srttNs + ", rttvarNs=" + rttvarNs + ", rtoNs=" + rtoNs
                + ", backoffCount=" + backoffCount + "]";
    }
}
