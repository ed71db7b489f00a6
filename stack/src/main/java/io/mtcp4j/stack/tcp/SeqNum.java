package io.mtcp4j.stack.tcp;

/**
 * Comparison and arithmetic on 32-bit TCP sequence numbers, which live on a circle of 2<sup>32</sup>
 * values and must never be compared with a raw {@code <}.
 *
 * <p>RFC 9293 section 3.4: "all arithmetic dealing with sequence numbers must be performed
 * modulo 2**32". Ordering follows serial number arithmetic (RFC 1982 section 3.2): {@code a} is
 * before {@code b} when the forward distance from {@code a} to {@code b} is between 1 and
 * 2<sup>31</sup> - 1, which on two's-complement {@code int}s is exactly {@code (a - b) < 0}. The
 * order is only meaningful between numbers less than 2<sup>31</sup> apart; TCP keeps every number
 * it compares inside the window (at most 2<sup>30</sup> bytes with RFC 7323 scaling) so this holds.
 * Two numbers exactly 2<sup>31</sup> apart are, as RFC 1982 says, undefined: here each compares as
 * less than the other, so callers must not rely on either answer.
 *
 * <p>Sequence numbers are carried as raw {@code int} bits (see
 * {@link io.mtcp4j.stack.wire.NetworkOrder#u32AsInt}); adding a byte count is plain {@code int}
 * addition, which wraps as the RFC requires.
 */
public final class SeqNum {
    private SeqNum() {}

    /** {@code a} comes strictly before {@code b}. */
    public static boolean lt(int a, int b) {
        return (a - b) < 0;
    }

    /** {@code a} comes before {@code b} or equals it. */
    public static boolean le(int a, int b) {
        return (a - b) <= 0;
    }

    /** {@code a} comes strictly after {@code b}. */
    public static boolean gt(int a, int b) {
        return (a - b) > 0;
    }

    /** {@code a} comes after {@code b} or equals it. */
    public static boolean ge(int a, int b) {
        return (a - b) >= 0;
    }

    /** The later of two sequence numbers (either one when they are equal). */
    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** The earlier of two sequence numbers (either one when they are equal). */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /**
     * {@code start <= seq < start + lengthBytes} on the circle: whether {@code seq} is one of the
     * {@code lengthBytes} numbers beginning at {@code start}.
     *
     * <p>{@code lengthBytes} is taken as unsigned, so any window up to 2<sup>32</sup> - 1 works.
     * A zero-length window contains nothing, so the answer is always {@code false}: RFC 9293
     * section 3.10.7.4's special cases for a zero receive window (a zero-length segment at
     * exactly RCV.NXT is acceptable) are the caller's to write, not this helper's.
     */
    public static boolean inWindow(int seq, int start, int lengthBytes) {
        return Integer.compareUnsigned(seq - start, lengthBytes) < 0;
    }

    /**
     * The signed difference {@code to - from}: positive when {@code to} is after {@code from}.
     * Meaningful when the two are less than 2<sup>31</sup> apart, which is the case for any two
     * numbers of one connection's window (for example {@code delta(sndUna, segAck)} is the number
     * of bytes an ACK newly acknowledges, or negative for an old ACK).
     */
    public static int delta(int from, int to) {
        return to - from;
    }

    /**
     * The forward distance from {@code from} to {@code to} as an unsigned count in
     * [0, 2<sup>32</sup>): how many times {@code from} must be incremented to reach {@code to}.
     * Never negative; an {@code to} slightly before {@code from} gives a number close to
     * 2<sup>32</sup>.
     */
    public static long distance(int from, int to) {
        return Integer.toUnsignedLong(to - from);
    }
}
