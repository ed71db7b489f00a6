package io.mtcp4j.stack.device;

/**
 * What an {@link ImpairedDevice} does to the frames going one way (received, or transmitted),
 * after Linux's netem, which this machine's kernel lacks. Immutable; start from {@link #NONE} and
 * add what you need: {@code Impairment.NONE.withLoss(0.05).withDelay(2_000_000, 500_000)}.
 *
 * <p>Each frame goes through the stages in this order:
 * <ol>
 *   <li><b>loss</b>: dropped with probability {@code lossRate};</li>
 *   <li><b>corruption</b>: with probability {@code corruptRate} one random bit of the frame is
 *       flipped (a partial checksum is completed first and the checksum flags are cleared, so the
 *       receiver verifies the frame and finds the damage, as it would after a real wire);</li>
 *   <li><b>duplication</b>: with probability {@code duplicateRate} the frame continues twice;</li>
 *   <li><b>reordering</b>: with probability {@code reorderRate} the frame is held back and
 *       continues right after {@code reorderGapFrames} later frames have passed this stage, or
 *       after {@code reorderHoldNs} if traffic stops first;</li>
 *   <li><b>delay</b>: the frame is released {@code delayNs} plus a uniform jitter in
 *       {@code [-jitterNs, +jitterNs]} after it arrived, but never before the frame ahead of it
 *       (the delay line keeps order; reordering is the previous stage's job);</li>
 *   <li><b>rate</b>: a token bucket of {@code rateBurstBytes} filling at
 *       {@code rateBytesPerSecond} shapes departures (0: unlimited); a frame waits until the
 *       bucket holds its length (or is full, for a frame longer than the bucket).</li>
 * </ol>
 * Frames waiting in the delay line are bounded by {@code limitFrames} and {@code limitBytes} (of
 * frame bytes); a frame that would exceed either is dropped and counted as overflow, as netem's
 * {@code limit} does.
 */
public record Impairment(double lossRate, double corruptRate, double duplicateRate,
                         double reorderRate, int reorderGapFrames, long reorderHoldNs,
                         long delayNs, long jitterNs,
                         long rateBytesPerSecond, long rateBurstBytes,
                         int limitFrames, long limitBytes) {
    public static final int DEFAULT_REORDER_GAP_FRAMES = 3;
    public static final long DEFAULT_REORDER_HOLD_NS = 10_000_000L;
    /** netem's default limit. */
    public static final int DEFAULT_LIMIT_FRAMES = 1000;
    public static final long DEFAULT_LIMIT_BYTES = 4L << 20;
    /** Keeps the bucket's arithmetic (bytes times 10^9) inside a long. */
    public static final long MAXIMUM_BURST_BYTES = 1L << 30;
    public static final long MAXIMUM_RATE_BYTES_PER_SECOND = 1L << 40;

    /** Frames pass untouched. */
    public static final Impairment NONE = new Impairment(0, 0, 0, 0, DEFAULT_REORDER_GAP_FRAMES,
            DEFAULT_REORDER_HOLD_NS, 0, 0, 0, 0, DEFAULT_LIMIT_FRAMES, DEFAULT_LIMIT_BYTES);

    public Impairment {
        checkProbability("lossRate", lossRate);
        checkProbability("corruptRate", corruptRate);
        checkProbability("duplicateRate", duplicateRate);
        checkProbability("reorderRate", reorderRate);
        if (reorderGapFrames < 1) {
            throw new IllegalArgumentException("reorderGapFrames must be at least 1: " + reorderGapFrames);
        }
        if (reorderHoldNs < 0 || delayNs < 0 || jitterNs < 0) {
            throw new IllegalArgumentException("times must not be negative: reorderHoldNs " + reorderHoldNs
                    + ", delayNs " + delayNs + ", jitterNs " + jitterNs);
        }
        if (rateBytesPerSecond < 0 || rateBytesPerSecond > MAXIMUM_RATE_BYTES_PER_SECOND) {
            throw new IllegalArgumentException("rateBytesPerSecond must be 0 (unlimited) to "
                    + MAXIMUM_RATE_BYTES_PER_SECOND + ": " + rateBytesPerSecond);
        }
        if (rateBytesPerSecond > 0 && (rateBurstBytes < 1 || rateBurstBytes > MAXIMUM_BURST_BYTES)) {
            throw new IllegalArgumentException("rateBurstBytes must be 1 to " + MAXIMUM_BURST_BYTES
                    + " with a rate: " + rateBurstBytes);
        }
        if (limitFrames < 1 || limitBytes < 1) {
            throw new IllegalArgumentException("limits must be positive: " + limitFrames + " frames, " + limitBytes + " bytes");
        }
    }

    private static void checkProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability from 0 to 1: " + p);
        }
    }

    public Impairment withLoss(double rate) {
        return new Impairment(rate, corruptRate, duplicateRate, reorderRate, reorderGapFrames, reorderHoldNs,
                delayNs, jitterNs, rateBytesPerSecond, rateBurstBytes, limitFrames, limitBytes);
    }

    public Impairment withCorruption(double rate) {
        return new Impairment(lossRate, rate, duplicateRate, reorderRate, reorderGapFrames, reorderHoldNs,
                delayNs, jitterNs, rateBytesPerSecond, rateBurstBytes, limitFrames, limitBytes);
    }

    public Impairment withDuplication(double rate) {
        return new Impairment(lossRate, corruptRate, rate, reorderRate, reorderGapFrames, reorderHoldNs,
                delayNs, jitterNs, rateBytesPerSecond, rateBurstBytes, limitFrames, limitBytes);
    }

    /** Reorders with probability {@code rate}: a frame held back lets {@code gapFrames} others pass. */
    public Impairment withReordering(double rate, int gapFrames) {
        return new Impairment(lossRate, corruptRate, duplicateRate, rate, gapFrames, reorderHoldNs,
                delayNs, jitterNs, rateBytesPerSecond, rateBurstBytes, limitFrames, limitBytes);
    }

    /** The longest a reordered frame waits for its gap to fill before it goes anyway. */
    public Impairment withReorderHold(long holdNs) {
        return new Impairment(lossRate, corruptRate, duplicateRate, reorderRate, reorderGapFrames, holdNs,
                delayNs, jitterNs, rateBytesPerSecond, rateBurstBytes, limitFrames, limitBytes);
    }

    public Impairment withDelay(long newDelayNs, long newJitterNs) {
        return new Impairment(lossRate, corruptRate, duplicateRate, reorderRate, reorderGapFrames, reorderHoldNs,
                newDelayNs, newJitterNs, rateBytesPerSecond, rateBurstBytes, limitFrames, limitBytes);
    }

    /** A token bucket: {@code bytesPerSecond} sustained, bursts of up to {@code burstBytes}. */
    public Impairment withRate(long bytesPerSecond, long burstBytes) {
        return new Impairment(lossRate, corruptRate, duplicateRate, reorderRate, reorderGapFrames, reorderHoldNs,
                delayNs, jitterNs, bytesPerSecond, burstBytes, limitFrames, limitBytes);
    }

    /** The most frames and frame bytes the delay line holds. */
    public Impairment withLimit(int frames, long bytes) {
        return new Impairment(lossRate, corruptRate, duplicateRate, reorderRate, reorderGapFrames, reorderHoldNs,
                delayNs, jitterNs, rateBytesPerSecond, rateBurstBytes, frames, bytes);
    }

    /** Whether frames pass untouched. */
    public boolean isNone() {
        return lossRate == 0 && corruptRate == 0 && !holdsFrames();
    }

    /** Whether a frame may outlive the call it arrived in (it needs storage of its own). */
    boolean holdsFrames() {
        return duplicateRate > 0 || reorderRate > 0 || shapes();
    }

    /** Whether the delay-and-rate stage can hold frames. */
    boolean shapes() {
        return delayNs > 0 || jitterNs > 0 || rateBytesPerSecond > 0;
    }
}
