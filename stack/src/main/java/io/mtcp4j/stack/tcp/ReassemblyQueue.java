package io.mtcp4j.stack.tcp;

/**
 * The byte ranges received out of order beyond RCV.NXT, kept merged, bounded and allocation-free.
 *
 * <p>This class tracks ranges only, not payload. The receive ring has room past its in-order end,
 * and the control block copies an out-of-order segment's payload straight into the ring at
 * {@code seq - rcvNxt} bytes past that end (the way Linux and mTCP effectively place data); when
 * the hole before it fills, the bytes are already in place and only the ring's write index moves.
 * That avoids a second copy and a pool of segment buffers.
 *
 * <h2>How the control block uses it</h2>
 * <pre>{@code
 * queue.reset(irs + 1);                       // on establishment: RCV.NXT = IRS + 1
 * // each data segment, already trimmed to the receive window (RFC 9293 3.10.7.4):
 * int fresh = queue.add(seq, length);
 * if (fresh < 0) return drop(segment);        // REJECTED_*: do not copy its payload
 * int skip = Math.max(0, SeqNum.delta(seq, rcvNxt));   // bytes before RCV.NXT are old
 * if (skip < length) {                        // place the rest at its offset past the tail
 *     ring.writeAt(ring.tail() + SeqNum.delta(rcvNxt, seq + skip), payload, payloadOffset + skip, length - skip);
 * }
 * int contiguous = queue.advance(rcvNxt);     // bytes now in order, this segment's included
 * ring.commit(contiguous);                    // publish them to the reader
 * rcvNxt += contiguous;
 * }</pre>
 * An in-order segment may also bypass {@code add}: move RCV.NXT past it yourself and call
 * {@code advance(newRcvNxt)}, which discards whatever it overwrote and adds what it joined.
 * {@code fresh < length} means some bytes were duplicates (D-SACK material, RFC 2883);
 * {@code fresh == 0} for a non-empty segment is a complete duplicate.
 *
 * <h2>Bounds against a hostile peer</h2>
 * <ul>
 *   <li>At most {@code maxRanges} disjoint ranges past RCV.NXT (holes are at most as many). A
 *       segment that would open a new range beyond that is rejected with
 *       {@link #REJECTED_TOO_MANY_RANGES}; segments that extend, join or duplicate existing
 *       ranges are always accepted, and so is an in-order one (a range starting at RCV.NXT has
 *       a slot of its own until {@link #advance} delivers it), so the retransmission that fills
 *       the first hole can never be refused. The queue never reneges on data it has accepted
 *       (and may have SACKed, RFC 2018 section 8).</li>
 *   <li>Nothing is held at or past {@code rcvNxt + limitBytes}; a segment reaching there is
 *       rejected with {@link #REJECTED_BEYOND_LIMIT}. Because payload lives in the ring, what
 *       costs memory is how far past RCV.NXT data lands, not how many bytes are held, so the byte
 *       bound is on that span (it also bounds {@link #bytesHeld()}). Set it to the receive ring's
 *       capacity; the receive window the caller trims to is normally tighter.</li>
 * </ul>
 *
 * <h2>SACK</h2>
 * {@link #sackBlocks} lists the held ranges most recently added to first: per RFC 2018 section 4
 * the first block must contain the segment that triggered the ACK, and the others repeat the most
 * recently reported blocks. Since every ACK's first block is the range of its newest segment,
 * "most recently reported" is "most recently received into". A duplicate that lands inside a held
 * range refreshes that range, which also puts it right after a caller-written D-SACK block as
 * RFC 2883 section 4 recommends.
 *
 * <p>Sequence numbers are compared modulo 2<sup>32</sup> ({@link SeqNum}). Storage is a handful of
 * parallel arrays preallocated in the constructor, sorted by sequence; every operation is linear
 * in the number of ranges and allocates nothing.
 */
public final class ReassemblyQueue {
    /** The range limit mTCP-like stacks need; more holes than this is a pathological peer. */
    public static final int DEFAULT_MAX_RANGES = 32;
    /** Spans beyond 2^30 bytes cannot be a TCP window (RFC 7323 2.3) and would risk int overflow. */
    public static final int MAX_LIMIT_BYTES = 1 << 30;

    /** {@link #add} result: the segment would open an out-of-order range beyond {@code maxRanges}; drop it. */
    public static final int REJECTED_TOO_MANY_RANGES = -1;
    /** {@link #add} result: the segment reaches {@code rcvNxt + limitBytes} or beyond; drop it. */
    public static final int REJECTED_BEYOND_LIMIT = -2;

    private final int maxRanges;
    private final int limitBytes;
    /** First sequence number of each range, ascending from RCV.NXT. */
    private final int[] starts;
    /** Sequence number just past each range (RFC 2018's "right edge"). */
    private final int[] ends;
    /** Value of {@link #addCount} when each range was last added to: its recency for SACK. */
    private final long[] lastAdded;

    private int rangeCount;
    private int rcvNxt;
    private int bytesHeld;
    private long addCount;

    /**
     * @param maxRanges  most disjoint ranges held past RCV.NXT, at least 1 (one more, starting at
     *                   RCV.NXT, may wait for {@link #advance})
     * @param limitBytes data is held only in [rcvNxt, rcvNxt + limitBytes); 1 to {@link #MAX_LIMIT_BYTES}
     */
    public ReassemblyQueue(int maxRanges, int limitBytes) {
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be at least 1: " + maxRanges);
        }
        if (limitBytes < 1 || limitBytes > MAX_LIMIT_BYTES) {
            throw new IllegalArgumentException("limitBytes must be in [1, 2^30]: " + limitBytes);
        }
        this.maxRanges = maxRanges;
        this.limitBytes = limitBytes;
        // One extra slot for a range starting at RCV.NXT, which is never refused.
        this.starts = new int[maxRanges + 1];
        this.ends = new int[maxRanges + 1];
        this.lastAdded = new long[maxRanges + 1];
    }

    /** Empties the queue and sets RCV.NXT, for a new connection (IRS + 1) or a reused queue. */
    public void reset(int rcvNxt) {
        this.rcvNxt = rcvNxt;
        rangeCount = 0;
        bytesHeld = 0;
        addCount = 0;
    }

    /**
     * Records that [seqStart, seqStart + lengthBytes) has been received.
     *
     * <p>Bytes before RCV.NXT are ignored (already delivered); the rest is merged with any range it
     * overlaps or touches. A range that starts at RCV.NXT is held until {@link #advance} hands it
     * over, so callers may pass in-order segments through here too.
     *
     * @return how many of the segment's bytes were not held or delivered before (0 for a complete
     *         duplicate), or {@link #REJECTED_TOO_MANY_RANGES} / {@link #REJECTED_BEYOND_LIMIT}, in
     *         which case nothing changed and the caller drops the segment
     * @throws IllegalArgumentException if {@code lengthBytes} is negative (a caller bug)
     */
    public int add(int seqStart, int lengthBytes) {
        if (lengthBytes < 0) {
            throw new IllegalArgumentException("negative length: " + lengthBytes);
        }
        if (lengthBytes == 0) {
            return 0;
        }
        // Offsets from RCV.NXT; a segment starting "before" RCV.NXT has a negative offset. So does
        // one 2^31 or more ahead, which the caller's window check has already excluded.
        long startOffset = seqStart - rcvNxt;
        long endOffset = startOffset + lengthBytes;
        if (endOffset <= 0) {
            return 0;
        }
        if (startOffset < 0) {
            startOffset = 0;
        }
        if (endOffset > limitBytes) {
            return REJECTED_BEYOND_LIMIT;
        }
        int newStart = (int) startOffset;
        int newEnd = (int) endOffset;

        // first: the first range that ends at or after the new start (it may touch or overlap).
        int first = 0;
        while (first < rangeCount && offsetOf(ends[first]) < newStart) {
            first++;
        }
        // last: the last range that starts at or before the new end.
        int last = first - 1;
        while (last + 1 < rangeCount && offsetOf(starts[last + 1]) <= newEnd) {
            last++;
        }

        if (last < first) {
            // Touches nothing: a new range at index first.
            // Only one range can start at RCV.NXT (offset 0), and it never counts: it is
            // deliverable now, and refusing it would refuse the segment every hole waits for.
            if (newStart > 0 && rangeCount - (startsAtRcvNxt() ? 1 : 0) == maxRanges) {
                return REJECTED_TOO_MANY_RANGES;
            }
            int tail = rangeCount - first;
            System.arraycopy(starts, first, starts, first + 1, tail);
            System.arraycopy(ends, first, ends, first + 1, tail);
            System.arraycopy(lastAdded, first, lastAdded, first + 1, tail);
            starts[first] = rcvNxt + newStart;
            ends[first] = rcvNxt + newEnd;
            lastAdded[first] = ++addCount;
            rangeCount++;
            int fresh = newEnd - newStart;
            bytesHeld += fresh;
            return fresh;
        }

        // Merge ranges first..last with the new one into index first.
        int alreadyHeld = 0;
        int mergedStart = Math.min(newStart, offsetOf(starts[first]));
        int mergedEnd = Math.max(newEnd, offsetOf(ends[last]));
        int previousHeld = 0;
        for (int i = first; i <= last; i++) {
            int rangeStart = offsetOf(starts[i]);
            int rangeEnd = offsetOf(ends[i]);
            previousHeld += rangeEnd - rangeStart;
            int overlap = Math.min(rangeEnd, newEnd) - Math.max(rangeStart, newStart);
            if (overlap > 0) {
                alreadyHeld += overlap;
            }
        }
        starts[first] = rcvNxt + mergedStart;
        ends[first] = rcvNxt + mergedEnd;
        lastAdded[first] = ++addCount;
        int removed = last - first;
        if (removed > 0) {
            int tail = rangeCount - (last + 1);
            System.arraycopy(starts, last + 1, starts, first + 1, tail);
            System.arraycopy(ends, last + 1, ends, first + 1, tail);
            System.arraycopy(lastAdded, last + 1, lastAdded, first + 1, tail);
            rangeCount -= removed;
        }
        bytesHeld += (mergedEnd - mergedStart) - previousHeld;
        return (newEnd - newStart) - alreadyHeld;
    }

    /**
     * Moves RCV.NXT forward to {@code rcvNxt} and hands over what became contiguous with it.
     *
     * <p>Ranges wholly before the new RCV.NXT are discarded (an in-order segment the caller placed
     * itself covered them); a range that starts at or before it is removed and the bytes it holds
     * beyond it are returned. Calling with the current RCV.NXT just delivers a range that starts
     * there.
     *
     * @return how many bytes past {@code rcvNxt} are now in order; the new RCV.NXT is
     *         {@code rcvNxt + result} (also {@link #rcvNxt()})
     * @throws IllegalArgumentException if {@code rcvNxt} is before the current RCV.NXT
     */
    public int advance(int rcvNxt) {
        if (SeqNum.lt(rcvNxt, this.rcvNxt)) {
            throw new IllegalArgumentException("RCV.NXT cannot move back from "
                    + Integer.toUnsignedString(this.rcvNxt) + " to " + Integer.toUnsignedString(rcvNxt));
        }
        int next = rcvNxt;
        int consumed = 0;
        // Ranges are disjoint and never touch, so once one is delivered the next starts after it.
        while (consumed < rangeCount && SeqNum.le(starts[consumed], next)) {
            bytesHeld -= ends[consumed] - starts[consumed];
            if (SeqNum.gt(ends[consumed], next)) {
                next = ends[consumed];
            }
            consumed++;
        }
        if (consumed > 0) {
            int tail = rangeCount - consumed;
            System.arraycopy(starts, consumed, starts, 0, tail);
            System.arraycopy(ends, consumed, ends, 0, tail);
            System.arraycopy(lastAdded, consumed, lastAdded, 0, tail);
            rangeCount = tail;
        }
        this.rcvNxt = next;
        return next - rcvNxt;
    }

    /**
     * Fills {@code edges} with up to {@code maxBlocks} SACK blocks as (left edge, right edge) pairs:
     * {@code edges[2k]} is the first sequence number of block k and {@code edges[2k + 1]} the one
     * just past it, as the option carries them (RFC 2018 section 3). Blocks come most recently
     * added to first (RFC 2018 section 4). A caller sending a D-SACK block (RFC 2883) writes it
     * first itself and asks here for one block fewer.
     *
     * @param maxBlocks at most 4 fit in the option, 3 next to timestamps (RFC 2018 section 3)
     * @return the number of blocks written: the least of {@code maxBlocks}, {@link #rangeCount()}
     *         and {@code edges.length / 2}
     */
    public int sackBlocks(int[] edges, int maxBlocks) {
        int blocks = Math.min(Math.min(maxBlocks, rangeCount), edges.length / 2);
        long newerThanNext = Long.MAX_VALUE;
        for (int block = 0; block < blocks; block++) {
            // Stamps are unique (each add stamps exactly one range), so picking the largest stamp
            // below the previous pick walks the ranges newest first without marking them.
            int best = -1;
            for (int i = 0; i < rangeCount; i++) {
                if (lastAdded[i] < newerThanNext && (best < 0 || lastAdded[i] > lastAdded[best])) {
                    best = i;
                }
            }
            edges[2 * block] = starts[best];
            edges[2 * block + 1] = ends[best];
            newerThanNext = lastAdded[best];
        }
        return blocks;
    }

    /** The sequence number the queue takes as RCV.NXT (set by {@link #reset}, moved by {@link #advance}). */
    public int rcvNxt() {
        return rcvNxt;
    }

    public boolean isEmpty() {
        return rangeCount == 0;
    }

    /**
     * Number of disjoint ranges held: at most {@link #maxRanges()}, plus one between an
     * {@link #add} of in-order data and the {@link #advance} that delivers it.
     */
    public int rangeCount() {
        return rangeCount;
    }

    /** Bytes held out of order (the sum of the ranges' lengths). */
    public int bytesHeld() {
        return bytesHeld;
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

    /**
     * The sequence number just past the highest byte held, or RCV.NXT when empty: how far the
     * peer has sent, as far as this receiver knows.
     */
    public int highestEnd() {
        return rangeCount == 0 ? rcvNxt : ends[rangeCount - 1];
    }

    public int maxRanges() {
        return maxRanges;
    }

    public int limitBytes() {
        return limitBytes;
    }

    private boolean startsAtRcvNxt() {
        return rangeCount > 0 && starts[0] == rcvNxt;
    }

    private int offsetOf(int seq) {
        return seq - rcvNxt;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= rangeCount) {
            throw new IndexOutOfBoundsException("range " + index + " of " + rangeCount);
        }
    }

    /** For debugging: {@code rcvNxt=.. [a,b) [c,d)} with unsigned sequence numbers. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("rcvNxt=").append(Integer.toUnsignedString(rcvNxt));
        for (int i = 0; i < rangeCount; i++) {
            text.append(" [").append(Integer.toUnsignedString(starts[i]))
                    .append(',').append(Integer.toUnsignedString(ends[i])).append(')');
        }
        return text.toString();
    }
}
