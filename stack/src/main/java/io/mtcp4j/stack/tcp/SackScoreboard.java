package io.mtcp4j.stack.tcp;

/**
 * The sender's record of which sequence ranges the peer has SACKed (RFC 2018), and the RFC 6675
 * computations over it: IsLost, SetPipe ("pipe") and NextSeg, for conservative SACK-based loss
 * recovery.
 *
 * <h2>What it holds</h2>
 * Disjoint, non-touching ranges {@code [start, end)} of sequence numbers, sorted, all at or after
 * SND.UNA (RFC 6675's HighACK + 1, see below) and at or before SND.MAX (HighData + 1). Like
 * {@link ReassemblyQueue} it keeps ranges only, in parallel arrays preallocated in the
 * constructor; every operation is linear in the number of ranges, none in the number of bytes,
 * and nothing allocates. Sequence numbers are compared modulo 2<sup>32</sup> ({@link SeqNum}):
 * internally each is turned into its offset from SND.UNA, which is exact while the flight is
 * below 2<sup>31</sup> bytes (TCP's window is at most 2<sup>30</sup>, RFC 7323 section 2.3).
 *
 * <h2>Edges, not octets</h2>
 * RFC 6675 section 2 names octets: HighACK is the highest octet cumulatively acknowledged,
 * HighData the highest octet sent, HighRxt the highest octet retransmitted in this recovery. This
 * class, like the rest of the package, speaks in exclusive edges instead, the way SND.UNA and
 * SND.NXT already do:
 * <ul>
 *   <li>{@code sndUna} = HighACK + 1, the first octet not yet cumulatively acknowledged;</li>
 *   <li>{@code sndMax} = HighData + 1, the octet after the highest ever sent (SND.MAX; not SND.NXT,
 *       which an RTO pulls back);</li>
 *   <li>{@code highRxtEnd} = HighRxt + 1, the octet after the highest one retransmitted in the
 *       current recovery: set it to {@code sndUna} when the recovery begins, and to the end of
 *       each segment retransmitted by NextSeg rules (1) and (3) (RFC 6675 section 5 step C.2).
 *       A value before SND.UNA is read as SND.UNA.</li>
 * </ul>
 *
 * <h2>How the control block uses it</h2>
 * <pre>{@code
 * board.reset(iss + 1);                                  // on establishment, SACK permitted
 * // every acceptable ACK (RFC 9293 3.10.7.4 has already dropped ACKs of unsent data):
 * for (int i = 0; i < options.sackBlockCount(); i++) {   // the edges as the option carries them
 *     edges[2 * i] = options.sackLeft(i);
 *     edges[2 * i + 1] = options.sackRight(i);
 * }
 * int newlySacked = board.update(segAck, edges, options.sackBlockCount(), sndMax);
 * boolean dupAck = newlySacked > 0;                      // RFC 6675 section 2 "DupAck"
 * if (board.lastUpdateHadDsack()) { ... }                // RFC 2883: something arrived twice
 * // entering recovery, RFC 6675 section 5 step (4):
 * if (dupAcks >= dupThresh || board.isLost(sndUna, mss, dupThresh)) { ... highRxtEnd = sndUna; }
 * // during recovery, steps (C) 1-5:
 * int pipe = board.pipe(sndMax, highRxtEnd, mss, dupThresh);
 * while (cwnd - pipe >= mss) {
 *     SackScoreboard.Rule rule = board.nextSegment(sndMax, highRxtEnd, sendableNewBytes, rescueAllowed, mss, dupThresh);
 *     if (rule == SackScoreboard.Rule.NONE) break;
 *     send(board.nextSegmentSeq(), board.nextSegmentLengthBytes());
 *     switch (rule) {                                    // section 5 steps C.2 and C.3
 *         case LOST, UNSACKED -> highRxtEnd = board.nextSegmentSeq() + board.nextSegmentLengthBytes();
 *         case NEW_DATA -> sndMax += board.nextSegmentLengthBytes();
 *         case RESCUE -> rescueRxt = recoveryPoint;       // section 4 NextSeg rule (4); not HighRxt
 *     }
 *     pipe += board.nextSegmentLengthBytes();            // section 5 step C.4
 * }
 * // on a retransmission timeout, RFC 2018 section 8: prior SACK information is not to be
 * // trusted for choosing what to retransmit
 * board.clearSacks();
 * }</pre>
 *
 * <h2>Bound</h2>
 * At most {@code maxRanges} ranges are held (a peer sends at most four blocks per ACK, but holes
 * accumulate over many ACKs). When a block would open one range too many, the highest range is
 * forgotten: if the new block itself would be the highest, it is not recorded; otherwise the
 * current highest range is dropped to make room. Forgetting SACK information is the safe
 * direction (RFC 2018 section 8 lets the receiver renege anyway): the sender only thinks more is
 * outstanding, so pipe is overestimated and some SACKed data may be resent. Merging two ranges
 * instead would mark the hole between them as received and it would never be retransmitted
 * before an RTO. Blocks that join or extend existing ranges are always recorded.
 * {@link #droppedRangeCount()} counts what the bound cost.
 */
public final class SackScoreboard {
    /** Enough for any realistic loss pattern; more holes than this in one window is pathological. */
    public static final int DEFAULT_MAX_RANGES = 64;
    /** RFC 6675 section 2 "DupThresh": the number of duplicate ACKs (or SACKed segments) that signal loss. */
    public static final int DEFAULT_DUP_THRESH = 3;

    /** Which RFC 6675 section 4 NextSeg() rule chose the segment {@link #nextSegment} describes. */
    public enum Rule {
        /** No rule applies: NextSeg() "MUST indicate this to the caller". Send nothing now. */
        NONE,
        /**
         * Rule (1): the lowest unSACKed octet after HighRxt and below the highest SACKed octet, and
         * IsLost() says it is lost. A retransmission; it moves HighRxt (section 5 step C.2).
         */
        LOST,
        /** Rule (2): previously unsent data at SND.MAX (HighData + 1); it moves HighData (step C.3). */
        NEW_DATA,
        /**
         * Rule (3): like (1) but not yet judged lost: "SHOULD be returned" when there is neither
         * lost data nor new data to send. A retransmission; it moves HighRxt (step C.2).
         */
        UNSACKED,
        /**
         * Rule (4): the once-per-recovery "rescue" retransmission of a segment that includes the
         * highest outstanding unSACKed octet. The caller sets RescueRxt to RecoveryPoint and MUST
         * NOT move HighRxt.
         */
        RESCUE
    }

    private final int maxRanges;
    /** First sequence number of each range, ascending from SND.UNA. */
    private final int[] starts;
    /** Sequence number just past each range (RFC 2018's "right edge"). */
    private final int[] ends;

    private int rangeCount;
    private int sndUna;
    private int sackedBytes;

    private boolean lastUpdateHadDsack;
    private int dsackStart;
    private int dsackEnd;

    private int nextSegmentSeq;
    private int nextSegmentLengthBytes;

    private long invalidBlockCount;
    private long dsackBlockCount;
    private long droppedRangeCount;

    /** A scoreboard holding up to {@link #DEFAULT_MAX_RANGES} ranges. */
    public SackScoreboard() {
        this(DEFAULT_MAX_RANGES);
    }

    /** @param maxRanges most disjoint SACKed ranges held, at least 1 (see "Bound" above) */
    public SackScoreboard(int maxRanges) {
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be at least 1: " + maxRanges);
        }
        this.maxRanges = maxRanges;
        this.starts = new int[maxRanges];
        this.ends = new int[maxRanges];
    }

    /** Empties the scoreboard, zeroes its counters and sets SND.UNA: for a new or reused connection. */
    public void reset(int sndUna) {
        this.sndUna = sndUna;
        clearSacks();
        invalidBlockCount = 0;
        dsackBlockCount = 0;
        droppedRangeCount = 0;
    }

    /**
     * Forgets every SACKed range but keeps SND.UNA and the counters. RFC 2018 section 8: after a
     * retransmission timeout the sender must ignore prior SACK information when choosing what to
     * retransmit, because the receiver may have reneged.
     */
    public void clearSacks() {
        rangeCount = 0;
        sackedBytes = 0;
        lastUpdateHadDsack = false;
        dsackStart = 0;
        dsackEnd = 0;
        nextSegmentSeq = 0;
        nextSegmentLengthBytes = 0;
    }

    /**
     * RFC 6675 section 4 Update(): takes in one ACK's cumulative acknowledgment and SACK blocks.
     *
     * <p>First SND.UNA moves to {@code cumulativeAck} if that is later (an older, reordered ACK
     * moves nothing but its blocks still count) and every SACKed byte before it is forgotten:
     * cumulatively acknowledged data needs no SACK record.
     *
     * <p>Then the first block is checked for a D-SACK (RFC 2883 section 4: "if the first SACK
     * block ... is less than the cumulative acknowledgement" or "is covered by the second SACK
     * block" then it reports a duplicate, not new data). Precisely, the first block is a D-SACK when
     * it is well formed (left before right, right not after SND.MAX) and either its left edge is
     * before {@code cumulativeAck} or a well-formed second block covers it. A D-SACK block is not
     * recorded (its bytes are acknowledged, or SACKed by the second block); see
     * {@link #lastUpdateHadDsack()}.
     *
     * <p>Every other block is recorded, merged with the ranges it overlaps or touches, except
     * blocks that are invalid, which are ignored and counted ({@link #invalidBlockCount()}): left
     * edge not before right edge, right edge after {@code sndMax} (data never sent), or right edge
     * at or before SND.UNA (all acknowledged already). A block that starts before SND.UNA and ends
     * after it is recorded from SND.UNA on.
     *
     * @param cumulativeAck the segment's acknowledgment number, at or before {@code sndMax}
     * @param sackEdges     the blocks' edges as the option carries them (RFC 2018 section 3): left
     *                      edge of block k at {@code [2k]}, right edge (just past it) at {@code [2k + 1]}
     * @param blockCount    how many blocks {@code sackEdges} holds, 0 for an ACK without SACK
     * @param sndMax        SND.MAX, one past the highest sequence number sent (RFC 6675 HighData + 1)
     * @return the number of bytes SACKed by this ACK that were neither SACKed nor cumulatively
     *         acknowledged before; more than zero makes the ACK a "DupAck" in the sense of RFC 6675
     *         section 2 ("a segment that arrives carrying a SACK block that identifies previously
     *         unacknowledged and un-SACKed octets between HighACK and HighData"), whatever else
     *         it carries
     * @throws IllegalArgumentException if {@code cumulativeAck} is after {@code sndMax} (the caller
     *         drops such ACKs, RFC 9293 section 3.10.7.4), or {@code blockCount} is negative or
     *         more than {@code sackEdges} holds
     */
    public int update(int cumulativeAck, int[] sackEdges, int blockCount, int sndMax) {
        if (blockCount < 0 || blockCount > sackEdges.length / 2) {
            throw new IllegalArgumentException("blockCount " + blockCount + " with " + sackEdges.length + " edges");
        }
        if (SeqNum.gt(cumulativeAck, sndMax)) {
            throw new IllegalArgumentException("ACK of unsent data: ack " + Integer.toUnsignedString(cumulativeAck)
                    + " after SND.MAX " + Integer.toUnsignedString(sndMax));
        }
        advance(cumulativeAck);
        lastUpdateHadDsack = false;
        int firstRecorded = 0;
        if (blockCount > 0 && isDsack(cumulativeAck, sackEdges, blockCount, sndMax)) {
            lastUpdateHadDsack = true;
            dsackStart = sackEdges[0];
            dsackEnd = sackEdges[1];
            dsackBlockCount++;
            firstRecorded = 1;
        }
        int newlySacked = 0;
        for (int block = firstRecorded; block < blockCount; block++) {
            int left = sackEdges[2 * block];
            int right = sackEdges[2 * block + 1];
            if (!SeqNum.lt(left, right) || SeqNum.gt(right, sndMax) || SeqNum.le(right, sndUna)) {
                invalidBlockCount++;
                continue;
            }
            int startOffset = Math.max(0, offsetOf(left));
            newlySacked += record(startOffset, offsetOf(right));
        }
        return newlySacked;
    }

    /** RFC 2883 section 4: the first block reports a duplicate, not newly received data. */
    private static boolean isDsack(int cumulativeAck, int[] sackEdges, int blockCount, int sndMax) {
        int left = sackEdges[0];
        int right = sackEdges[1];
        if (!SeqNum.lt(left, right) || SeqNum.gt(right, sndMax)) {
            return false;
        }
        if (SeqNum.lt(left, cumulativeAck)) {
            return true;
        }
        if (blockCount < 2) {
            return false;
        }
        int secondLeft = sackEdges[2];
        int secondRight = sackEdges[3];
        return SeqNum.lt(secondLeft, secondRight) && SeqNum.le(secondRight, sndMax)
                && SeqNum.le(secondLeft, left) && SeqNum.le(right, secondRight);
    }

    /** Moves SND.UNA to {@code ack} if later, forgetting SACKed bytes before it. */
    private void advance(int ack) {
        if (!SeqNum.gt(ack, sndUna)) {
            return;
        }
        int gone = 0;
        while (gone < rangeCount && SeqNum.le(ends[gone], ack)) {
            sackedBytes -= ends[gone] - starts[gone];
            gone++;
        }
        if (gone > 0) {
            int tail = rangeCount - gone;
            System.arraycopy(starts, gone, starts, 0, tail);
            System.arraycopy(ends, gone, ends, 0, tail);
            rangeCount = tail;
        }
        if (rangeCount > 0 && SeqNum.lt(starts[0], ack)) {
            sackedBytes -= ack - starts[0];
            starts[0] = ack;
        }
        sndUna = ack;
    }

    /**
     * Records [sndUna + startOffset, sndUna + endOffset), both offsets in [0, 2^31), start before
     * end; returns how many of its bytes were not SACKed before and are held now.
     */
    private int record(int startOffset, int endOffset) {
        // first: the first range that ends at or after the new start (it may touch or overlap).
        int first = 0;
        while (first < rangeCount && offsetOf(ends[first]) < startOffset) {
            first++;
        }
        // last: the last range that starts at or before the new end.
        int last = first - 1;
        while (last + 1 < rangeCount && offsetOf(starts[last + 1]) <= endOffset) {
            last++;
        }

        if (last < first) {
            // Touches nothing: a new range at index first, if the bound allows (class comment).
            if (rangeCount == maxRanges) {
                droppedRangeCount++;
                if (first == rangeCount) {
                    return 0;
                }
                rangeCount--;
                sackedBytes -= ends[rangeCount] - starts[rangeCount];
            }
            int tail = rangeCount - first;
            System.arraycopy(starts, first, starts, first + 1, tail);
            System.arraycopy(ends, first, ends, first + 1, tail);
            starts[first] = sndUna + startOffset;
            ends[first] = sndUna + endOffset;
            rangeCount++;
            int fresh = endOffset - startOffset;
            sackedBytes += fresh;
            return fresh;
        }

        // Merge ranges first..last with the new one into index first.
        int mergedStart = Math.min(startOffset, offsetOf(starts[first]));
        int mergedEnd = Math.max(endOffset, offsetOf(ends[last]));
        int previouslySacked = 0;
        for (int i = first; i <= last; i++) {
            previouslySacked += ends[i] - starts[i];
        }
        starts[first] = sndUna + mergedStart;
        ends[first] = sndUna + mergedEnd;
        int removed = last - first;
        if (removed > 0) {
            int tail = rangeCount - (last + 1);
            System.arraycopy(starts, last + 1, starts, first + 1, tail);
            System.arraycopy(ends, last + 1, ends, first + 1, tail);
            rangeCount -= removed;
        }
        // The merged range holds exactly the old ranges' bytes plus the new ones.
        int fresh = (mergedEnd - mergedStart) - previouslySacked;
        sackedBytes += fresh;
        return fresh;
    }

    /**
     * Whether the first block of the last {@link #update} was a D-SACK (RFC 2883): the peer
     * received something twice, because of a spurious retransmission, ACK loss or network
     * duplication. Input for RFC 3708 / RFC 8985 reordering adaptation; the scoreboard only reports it.
     */
    public boolean lastUpdateHadDsack() {
        return lastUpdateHadDsack;
    }

    /** Left edge of the last D-SACK block (meaningful while {@link #lastUpdateHadDsack()}). */
    public int dsackStart() {
        return dsackStart;
    }

    /** Right edge of the last D-SACK block (meaningful while {@link #lastUpdateHadDsack()}). */
    public int dsackEnd() {
        return dsackEnd;
    }

    /** Whether octet {@code seq} is SACKed (false for octets before SND.UNA: they are acknowledged, not SACKed). */
    public boolean isSacked(int seq) {
        int offset = offsetOf(seq);
        if (offset < 0) {
            return false;
        }
        for (int i = 0; i < rangeCount; i++) {
            if (offset < offsetOf(starts[i])) {
                return false;
            }
            if (offset < offsetOf(ends[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where the run of SACKed octets holding {@code seq} ends: the right edge of the range that
     * contains it, or {@code seq} itself when it is not SACKed. A sender going back to SND.UNA
     * after a timeout skips what the peer still reports held (RFC 6675 section 5.1).
     */
    public int sackedRangeEnd(int seq) {
        int offset = offsetOf(seq);
        if (offset < 0) {
            return seq;
        }
        for (int i = 0; i < rangeCount; i++) {
            int start = offsetOf(starts[i]);
            if (offset < start) {
                return seq;
            }
            if (offset < offsetOf(ends[i])) {
                return ends[i];
            }
        }
        return seq;
    }

    /**
     * Bytes from {@code seq} to the first SACKed range that starts after it: how long a
     * retransmission from {@code seq} may be before it resends data the peer holds.
     * {@link Integer#MAX_VALUE} when no SACKed range follows; 0 when {@code seq} is SACKed.
     */
    public int unsackedBytesFrom(int seq) {
        int offset = offsetOf(seq);
        for (int i = 0; i < rangeCount; i++) {
            int start = offsetOf(starts[i]);
            if (offset < start) {
                return start - offset;
            }
            if (offset < offsetOf(ends[i])) {
                return 0;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** SACKed bytes before {@code seq} (from SND.UNA): the part of [SND.UNA, seq) the peer holds out of order. */
    public int sackedBytesBefore(int seq) {
        int offset = offsetOf(seq);
        return offset <= 0 ? 0 : (int) sackedBytesBetween(0, offset);
    }

    /**
     * RFC 6675 section 4 IsLost(SeqNum): "true when either DupThresh discontiguous SACKed
     * sequences have arrived above 'SeqNum' or more than (DupThresh - 1) * SMSS bytes with
     * sequence numbers greater than 'SeqNum' have been SACKed".
     *
     * <p>A "discontiguous SACKed sequence" is taken to be a maximal run of SACKed octets, that is
     * one range here (counting a range only by its octets after {@code seq}). Octets that are
     * themselves SACKed or already acknowledged (before SND.UNA) are never lost: the question is
     * about data still missing, which is all RFC 6675 asks it of.
     *
     * @param seq       the octet in question, normally unSACKed and at or after SND.UNA
     * @param mssBytes  SMSS, at least 1
     * @param dupThresh DupThresh (RFC 6675 section 2; {@link #DEFAULT_DUP_THRESH}), at least 1
     */
    public boolean isLost(int seq, int mssBytes, int dupThresh) {
        checkLossParameters(mssBytes, dupThresh);
        int offset = offsetOf(seq);
        return offset >= 0 && offset < lossBoundaryOffset(mssBytes, dupThresh) && !isSacked(seq);
    }

    /**
     * The offset from SND.UNA below which every unSACKed octet is lost: IsLost's counts only fall
     * as the octet in question moves up, so "lost" holds on a prefix of the sequence space and this
     * is where it ends. Computed from the top down in O(ranges).
     */
    private int lossBoundaryOffset(int mssBytes, int dupThresh) {
        int boundary = 0;
        // DupThresh runs above octet s: the dupThresh-th range from the top has an octet after s,
        // i.e. s is before its last octet.
        if (rangeCount >= dupThresh) {
            boundary = offsetOf(ends[rangeCount - dupThresh]) - 1;
        }
        // More than limit SACKed bytes after s: s is before the (limit + 1)-th highest SACKed octet.
        long limitBytes = (long) (dupThresh - 1) * mssBytes;
        if (sackedBytes > limitBytes) {
            long remaining = limitBytes + 1;
            for (int i = rangeCount - 1; i >= 0; i--) {
                int length = ends[i] - starts[i];
                if (length >= remaining) {
                    boundary = Math.max(boundary, offsetOf(ends[i]) - (int) remaining);
                    break;
                }
                remaining -= length;
            }
        }
        return boundary;
    }

    /**
     * RFC 6675 section 4 SetPipe(): the estimate of octets in flight. For each octet from SND.UNA
     * (HighACK + 1) up to {@code sndMax} (HighData + 1) that is not SACKed, add one if IsLost() is
     * false ("still assumed to be in the network") and one more if it is before
     * {@code highRxtEnd} (its retransmission is in the network); an octet retransmitted without
     * being lost counts twice, as the RFC notes.
     *
     * <p>Computed analytically in O(ranges): lost unSACKed octets form a prefix (see
     * {@link #isLost}), so each term is a length minus the SACKed bytes inside it. The result
     * saturates at {@link Integer#MAX_VALUE}, which a flight of at most 2<sup>30</sup> bytes
     * cannot reach.
     *
     * @param sndMax     SND.MAX (HighData + 1), at or after SND.UNA
     * @param highRxtEnd HighRxt + 1 (class comment); SND.UNA or earlier when nothing was retransmitted
     * @param mssBytes   SMSS, at least 1
     * @param dupThresh  DupThresh, at least 1
     */
    public int pipe(int sndMax, int highRxtEnd, int mssBytes, int dupThresh) {
        checkLossParameters(mssBytes, dupThresh);
        int flightEnd = flightEndOffset(sndMax);
        int lostEnd = Math.min(lossBoundaryOffset(mssBytes, dupThresh), flightEnd);
        long notLost = (long) (flightEnd - lostEnd) - sackedBytesBetween(lostEnd, flightEnd);
        int retransmittedEnd = clampOffset(highRxtEnd, flightEnd);
        long retransmitted = (long) retransmittedEnd - sackedBytesBetween(0, retransmittedEnd);
        return (int) Math.min(Integer.MAX_VALUE, notLost + retransmitted);
    }

    /**
     * RFC 6675 section 4 NextSeg(): chooses what to send next during loss recovery and leaves it in
     * {@link #nextSegmentSeq()} and {@link #nextSegmentLengthBytes()}. The rules, in order:
     * <ol>
     *   <li>{@link Rule#LOST}: the smallest unSACKed octet S2 that is (1.a) after HighRxt, (1.b)
     *       before the highest SACKed octet and (1.c) lost per {@link #isLost}; "one segment of up
     *       to SMSS octets starting with S2". The segment also stops where the next SACKed range
     *       begins: the receiver holds those bytes already.</li>
     *   <li>{@link Rule#NEW_DATA}: otherwise, if unsent data is available and the receiver's
     *       window allows ({@code sendableNewBytes > 0}; the caller knows both), up to SMSS octets
     *       from SND.MAX (HighData + 1).</li>
     *   <li>{@link Rule#UNSACKED}: otherwise, an S3 meeting (1.a) and (1.b) but not (1.c), sent
     *       like rule (1).</li>
     *   <li>{@link Rule#RESCUE}: otherwise, if unSACKed data is outstanding and the caller allows
     *       the rescue ("if HighACK is greater than RescueRxt (or RescueRxt is undefined)"), one
     *       segment of up to SMSS octets ending with the highest outstanding unSACKed octet (it
     *       "MUST include" that octet); it starts no earlier than the hole it lies in.</li>
     * </ol>
     * Otherwise {@link Rule#NONE}, and the result fields are zero.
     *
     * @param sndMax           SND.MAX (HighData + 1)
     * @param highRxtEnd       HighRxt + 1 (class comment)
     * @param sendableNewBytes unsent bytes the caller may send now at SND.MAX: the least of what is
     *                         queued and what the peer's window allows past SND.MAX; 0 for none
     * @param rescueAllowed    the caller's RescueRxt test for rule (4); false disables the rule
     * @param mssBytes         SMSS, at least 1
     * @param dupThresh        DupThresh, at least 1
     */
    public Rule nextSegment(int sndMax, int highRxtEnd, int sendableNewBytes, boolean rescueAllowed,
                            int mssBytes, int dupThresh) {
        checkLossParameters(mssBytes, dupThresh);
        int flightEnd = flightEndOffset(sndMax);
        // Rules (1) and (3) share their candidate: the first unSACKed octet at or after HighRxt + 1.
        // It meets (1.b) exactly when a SACKed range follows it.
        int candidate = clampOffset(highRxtEnd, flightEnd);
        int followingSackedStart = -1;
        for (int i = 0; i < rangeCount; i++) {
            int start = offsetOf(starts[i]);
            int end = offsetOf(ends[i]);
            if (end <= candidate) {
                continue;
            }
            if (start <= candidate) {
                candidate = end;
                continue;
            }
            followingSackedStart = start;
            break;
        }
        boolean belowHighestSacked = followingSackedStart >= 0;
        if (belowHighestSacked && candidate < lossBoundaryOffset(mssBytes, dupThresh)) {
            return choose(Rule.LOST, candidate, Math.min(mssBytes, followingSackedStart - candidate));
        }
        if (sendableNewBytes > 0) {
            return choose(Rule.NEW_DATA, flightEnd, Math.min(mssBytes, sendableNewBytes));
        }
        if (belowHighestSacked) {
            return choose(Rule.UNSACKED, candidate, Math.min(mssBytes, followingSackedStart - candidate));
        }
        if (rescueAllowed) {
            // The highest unSACKed octet is just below the top range if that reaches SND.MAX,
            // otherwise it is the last octet sent; its hole starts where the range below ends.
            int holeEnd = flightEnd;
            int top = rangeCount - 1;
            if (top >= 0 && offsetOf(ends[top]) >= flightEnd) {
                holeEnd = offsetOf(starts[top]);
                top--;
            }
            int holeStart = top >= 0 ? offsetOf(ends[top]) : 0;
            if (holeStart < holeEnd) {
                int start = Math.max(holeStart, holeEnd - mssBytes);
                return choose(Rule.RESCUE, start, holeEnd - start);
            }
        }
        nextSegmentSeq = 0;
        nextSegmentLengthBytes = 0;
        return Rule.NONE;
    }

    private Rule choose(Rule rule, int startOffset, int lengthBytes) {
        nextSegmentSeq = sndUna + startOffset;
        nextSegmentLengthBytes = lengthBytes;
        return rule;
    }

    /** First sequence number of the segment the last {@link #nextSegment} chose. */
    public int nextSegmentSeq() {
        return nextSegmentSeq;
    }

    /** Length of the segment the last {@link #nextSegment} chose, 1 to SMSS; 0 after {@link Rule#NONE}. */
    public int nextSegmentLengthBytes() {
        return nextSegmentLengthBytes;
    }

    /** SND.UNA as the scoreboard knows it (HighACK + 1): set by {@link #reset}, moved by {@link #update}. */
    public int sndUna() {
        return sndUna;
    }

    /** Bytes SACKed and not yet cumulatively acknowledged: the sum of the ranges' lengths. */
    public int sackedBytes() {
        return sackedBytes;
    }

    /**
     * The sequence number just past the highest SACKed octet (RFC 6675's "highest octet covered by
     * any received SACK", plus one), or SND.UNA when nothing is SACKed.
     */
    public int highestSackedEnd() {
        return rangeCount == 0 ? sndUna : ends[rangeCount - 1];
    }

    public boolean isEmpty() {
        return rangeCount == 0;
    }

    /** Number of disjoint SACKed ranges, at most {@link #maxRanges()}. */
    public int rangeCount() {
        return rangeCount;
    }

    /** First sequence number of range {@code index} (0 is the lowest). */
    public int rangeStart(int index) {
        checkIndex(index);
        return starts[index];
    }

    /** Sequence number just past range {@code index}. */
    public int rangeEnd(int index) {
        checkIndex(index);
        return ends[index];
    }

    public int maxRanges() {
        return maxRanges;
    }

    /** SACK blocks ignored as invalid since {@link #reset} (see {@link #update}); D-SACK blocks are not counted here. */
    public long invalidBlockCount() {
        return invalidBlockCount;
    }

    /** D-SACK blocks seen since {@link #reset}. */
    public long dsackBlockCount() {
        return dsackBlockCount;
    }

    /** Ranges forgotten or not recorded because of the {@code maxRanges} bound, since {@link #reset}. */
    public long droppedRangeCount() {
        return droppedRangeCount;
    }

    /** Sum of SACKed bytes inside [fromOffset, toOffset) of the offsets from SND.UNA. */
    private long sackedBytesBetween(int fromOffset, int toOffset) {
        long sum = 0;
        for (int i = 0; i < rangeCount; i++) {
            int start = Math.max(offsetOf(starts[i]), fromOffset);
            int end = Math.min(offsetOf(ends[i]), toOffset);
            if (end > start) {
                sum += end - start;
            }
        }
        return sum;
    }

    private int flightEndOffset(int sndMax) {
        int flightEnd = offsetOf(sndMax);
        if (flightEnd < 0) {
            throw new IllegalArgumentException("SND.MAX " + Integer.toUnsignedString(sndMax)
                    + " before SND.UNA " + Integer.toUnsignedString(sndUna));
        }
        return flightEnd;
    }

    /** {@code seq} as an offset from SND.UNA, within [0, limit]. */
    private int clampOffset(int seq, int limit) {
        int offset = offsetOf(seq);
        return offset < 0 ? 0 : Math.min(offset, limit);
    }

    private int offsetOf(int seq) {
        return seq - sndUna;
    }

    private static void checkLossParameters(int mssBytes, int dupThresh) {
        if (mssBytes < 1) {
            throw new IllegalArgumentException("SMSS must be at least 1: " + mssBytes);
        }
        if (dupThresh < 1) {
            throw new IllegalArgumentException("DupThresh must be at least 1: " + dupThresh);
        }
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= rangeCount) {
            throw new IndexOutOfBoundsException("range " + index + " of " + rangeCount);
        }
    }

    /** For debugging: {@code sndUna=.. sacked=.. [a,b) [c,d)} with unsigned sequence numbers. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("sndUna=").append(Integer.toUnsignedString(sndUna))
                .append(" sacked=").append(sackedBytes);
        for (int i = 0; i < rangeCount; i++) {
            text.append(" [").append(Integer.toUnsignedString(starts[i]))
                    .append(',').append(Integer.toUnsignedString(ends[i])).append(')');
        }
        return text.toString();
    }
}
