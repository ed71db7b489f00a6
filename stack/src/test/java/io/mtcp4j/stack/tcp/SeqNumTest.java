package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Modular sequence-number comparison, RFC 9293 3.4 and RFC 1982 3.2. */
class SeqNumTest {
    private static final int MAX_UNSIGNED = 0xffff_ffff;   // 2^32 - 1
    private static final int HALF = 0x8000_0000;           // 2^31

    @Test
    void ordersAcrossTheWrap() {
        // 2^32 - 1 is followed by 0: RFC 9293 3.4's example of wrap-around.
        assertTrue(SeqNum.lt(MAX_UNSIGNED, 0));
        assertTrue(SeqNum.gt(0, MAX_UNSIGNED));
        assertTrue(SeqNum.lt(0xffff_fff0, 0x10));
        assertFalse(SeqNum.lt(0x10, 0xffff_fff0));
        assertTrue(SeqNum.le(MAX_UNSIGNED, 5));
        assertTrue(SeqNum.ge(5, MAX_UNSIGNED));
    }

    @Test
    void ordersAcrossTheSignBoundary() {
        // 0x7fffffff -> 0x80000000 is one step, not a jump from MAX to MIN.
        assertTrue(SeqNum.lt(Integer.MAX_VALUE, Integer.MIN_VALUE));
        assertTrue(SeqNum.gt(Integer.MIN_VALUE, Integer.MAX_VALUE));
        assertEquals(1, SeqNum.delta(Integer.MAX_VALUE, Integer.MIN_VALUE));
    }

    @Test
    void equalNumbersAreLeAndGeButNotLtOrGt() {
        for (int a : new int[] {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x1234_5678}) {
            assertTrue(SeqNum.le(a, a));
            assertTrue(SeqNum.ge(a, a));
            assertFalse(SeqNum.lt(a, a));
            assertFalse(SeqNum.gt(a, a));
        }
    }

    @Test
    void largestForwardStepStillCompares() {
        // 2^31 - 1 ahead is the farthest "after" (RFC 1982 3.2).
        int a = 0xffff_0000;
        int b = a + Integer.MAX_VALUE;
        assertTrue(SeqNum.lt(a, b));
        assertTrue(SeqNum.gt(b, a));
        // One more and it flips: 2^31 + 1 ahead is behind.
        assertTrue(SeqNum.gt(a, a + HALF + 1));
    }

    @Test
    void exactlyHalfTheCircleApartIsUndefinedAndDocumentedAsBothLess() {
        // RFC 1982 leaves 2^31 apart undefined; our helper answers "less" both ways.
        int a = 7;
        int b = a + HALF;
        assertTrue(SeqNum.lt(a, b));
        assertTrue(SeqNum.lt(b, a));
    }

    @Test
    void maxAndMinPickAcrossTheWrap() {
        assertEquals(3, SeqNum.max(0xffff_fffe, 3));
        assertEquals(3, SeqNum.max(3, 0xffff_fffe));
        assertEquals(0xffff_fffe, SeqNum.min(0xffff_fffe, 3));
        assertEquals(0xffff_fffe, SeqNum.min(3, 0xffff_fffe));
        assertEquals(9, SeqNum.max(9, 9));
    }

    @Test
    void inWindowIsHalfOpenAndWraps() {
        int start = 0xffff_fff0;
        int length = 0x20;                  // covers 0xfffffff0 .. 0x0000000f
        assertTrue(SeqNum.inWindow(start, start, length));
        assertTrue(SeqNum.inWindow(MAX_UNSIGNED, start, length));
        assertTrue(SeqNum.inWindow(0, start, length));
        assertTrue(SeqNum.inWindow(0x0f, start, length));
        assertFalse(SeqNum.inWindow(0x10, start, length), "end is exclusive");
        assertFalse(SeqNum.inWindow(start - 1, start, length), "before start");
    }

    @Test
    void zeroLengthWindowContainsNothingNotEvenItsStart() {
        // RFC 9293 3.10.7.4's "SEG.SEQ = RCV.NXT with RCV.WND = 0" case is the caller's.
        assertFalse(SeqNum.inWindow(100, 100, 0));
        assertFalse(SeqNum.inWindow(101, 100, 0));
        assertFalse(SeqNum.inWindow(99, 100, 0));
    }

    @Test
    void inWindowTakesLengthAsUnsigned() {
        // A 2^32 - 1 byte window contains everything except the number just before start.
        assertTrue(SeqNum.inWindow(12345, 0, MAX_UNSIGNED));
        assertTrue(SeqNum.inWindow(0xffff_fffe, 0, MAX_UNSIGNED));
        assertFalse(SeqNum.inWindow(MAX_UNSIGNED, 0, MAX_UNSIGNED));
        // A window of 2^31 bytes, more than int's positive range.
        assertTrue(SeqNum.inWindow(5 + Integer.MAX_VALUE, 5, HALF));
        assertFalse(SeqNum.inWindow(5 + HALF, 5, HALF));
    }

    @Test
    void distanceIsUnsignedForwardAndDeltaIsSigned() {
        assertEquals(0x20L, SeqNum.distance(0xffff_fff0, 0x10));
        assertEquals(0xffff_ffffL, SeqNum.distance(1, 0));
        assertEquals(0L, SeqNum.distance(77, 77));
        assertEquals(-1, SeqNum.delta(1, 0));
        assertEquals(0x20, SeqNum.delta(0xffff_fff0, 0x10));
    }

    // ---------------------------------------------------------------- properties

    @Property
    void ltIsAntisymmetric(@ForAll int a, @ForAll int b) {
        // Excluding the undefined distance 2^31.
        if (a - b == HALF) {
            return;
        }
        assertFalse(SeqNum.lt(a, b) && SeqNum.lt(b, a));
        assertEquals(SeqNum.lt(a, b), SeqNum.gt(b, a));
        assertEquals(SeqNum.le(a, b), SeqNum.ge(b, a));
    }

    @Property
    void exactlyOneOfLessEqualGreaterHolds(@ForAll int a, @ForAll int b) {
        if (a - b == HALF) {
            return;
        }
        int holding = (SeqNum.lt(a, b) ? 1 : 0) + (a == b ? 1 : 0) + (SeqNum.gt(a, b) ? 1 : 0);
        assertEquals(1, holding);
        assertEquals(SeqNum.le(a, b), SeqNum.lt(a, b) || a == b);
    }

    @Property
    void aIsBeforeEveryNumberLessThanHalfTheCircleAhead(@ForAll int a,
                                                        @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int n) {
        assertTrue(SeqNum.lt(a, a + n));
        assertTrue(SeqNum.gt(a + n, a));
        assertEquals(n, SeqNum.delta(a, a + n));
        assertEquals(n, SeqNum.distance(a, a + n));
    }

    @Property
    void ltIsTransitiveWithinAHalfCircle(@ForAll int a,
                                         @ForAll @IntRange(min = 1, max = 1 << 30) int firstStep,
                                         @ForAll @IntRange(min = 1, max = (1 << 30) - 1) int secondStep) {
        // a < b < c with c less than 2^31 ahead of a: then a < c.
        int b = a + firstStep;
        int c = b + secondStep;
        assertTrue(SeqNum.lt(a, b));
        assertTrue(SeqNum.lt(b, c));
        assertTrue(SeqNum.lt(a, c));
    }

    @Property
    void maxAndMinAgreeWithLt(@ForAll int a, @ForAll int b) {
        if (a - b == HALF) {
            return;
        }
        int max = SeqNum.max(a, b);
        int min = SeqNum.min(a, b);
        assertTrue(SeqNum.le(min, max));
        assertTrue((max == a && min == b) || (max == b && min == a));
    }

    @Property
    void inWindowMatchesOffsetArithmetic(@ForAll int start,
                                         @ForAll @IntRange(min = 0, max = 1 << 30) int length,
                                         @ForAll @IntRange(min = -(1 << 30), max = (1 << 30) + 5) int offset) {
        boolean expected = offset >= 0 && offset < length;
        assertEquals(expected, SeqNum.inWindow(start + offset, start, length));
    }

    @Property
    void inWindowAgreesWithLeAndLt(@ForAll int seq, @ForAll int start,
                                   @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int length) {
        if (seq - start == HALF) {
            return;
        }
        // start <= seq < start + length, written with the comparison helpers.
        boolean expected = SeqNum.le(start, seq) && SeqNum.lt(seq, start + length);
        assertEquals(expected, SeqNum.inWindow(seq, start, length));
    }
}
