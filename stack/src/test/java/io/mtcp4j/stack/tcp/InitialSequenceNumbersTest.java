package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 6528 ISNs: a 4-microsecond clock plus a keyed hash of the 4-tuple. */
class InitialSequenceNumbersTest {
    private static final long KEY0 = 0x0706050403020100L;
    private static final long KEY1 = 0x0f0e0d0c0b0a0908L;
    /** 192.0.2.1 and 198.51.100.7 (RFC 5737 documentation addresses). */
    private static final int LOCAL = 0xc0000201;
    private static final int REMOTE = 0xc6336407;
    /** 2001:db8::1 and 2001:db8::2 (RFC 3849). */
    private static final long V6_HIGH = 0x20010db800000000L;

    private final InitialSequenceNumbers isns = new InitialSequenceNumbers(KEY0, KEY1);

    @Test
    void knownAnswerIpv4IsClockPlusLow32BitsOfSipHash() {
        // F's message: local, remote, ports (80 << 16 | 40000), each int little-endian.
        byte[] message = {
            0x01, 0x02, 0x00, (byte) 0xc0,            // 192.0.2.1
            0x07, 0x64, 0x33, (byte) 0xc6,            // 198.51.100.7
            0x40, (byte) 0x9c, 0x50, 0x00,            // remote port 40000 (0x9c40), local port 80 (0x0050)
        };
        int offset = (int) SipHash.hash(KEY0, KEY1, message);
        long nowNs = 1_000_000_000L;                  // 250000 ticks of 4 us
        assertEquals(250_000 + offset, isns.isn(LOCAL, 80, REMOTE, 40000, nowNs));
        assertEquals(offset, isns.isn(LOCAL, 80, REMOTE, 40000, 0));
    }

    @Test
    void knownAnswerIpv6() {
        SipHash reference = new SipHash(KEY0, KEY1);
        int offset = (int) reference.addLong(V6_HIGH).addLong(1).addLong(V6_HIGH).addLong(2)
                .addInt(443 << 16 | 50000).finish();
        assertEquals(offset + 3, isns.isn(V6_HIGH, 1, 443, V6_HIGH, 2, 50000, 12_000));
    }

    @Test
    void advancesOnePerFourMicroseconds() {
        int first = isns.isn(LOCAL, 80, REMOTE, 40000, 5_000_000);
        assertEquals(first, isns.isn(LOCAL, 80, REMOTE, 40000, 5_000_000 + 3_999));
        assertEquals(first + 1, isns.isn(LOCAL, 80, REMOTE, 40000, 5_000_000 + 4_000));
        assertEquals(first + 250_000, isns.isn(LOCAL, 80, REMOTE, 40000, 5_000_000 + 1_000_000_000L));
    }

    @Test
    void wrapsAfterTwoToThe32Ticks() {
        long wrapNs = (1L << 32) * InitialSequenceNumbers.TICK_NS;   // about 4.77 hours
        assertEquals(isns.isn(LOCAL, 80, REMOTE, 40000, 77), isns.isn(LOCAL, 80, REMOTE, 40000, 77 + wrapNs));
    }

    @Test
    void negativeClockValuesStillTickForward() {
        // System.nanoTime may be negative; the 4 us clock must not stall or jump across zero.
        int before = isns.isn(LOCAL, 80, REMOTE, 40000, -1);
        int after = isns.isn(LOCAL, 80, REMOTE, 40000, 0);
        assertEquals(before + 1, after);
    }

    @Test
    void everyTupleElementChangesTheOffset() {
        long now = 123_456_789;
        int base = isns.isn(LOCAL, 80, REMOTE, 40000, now);
        assertNotEquals(base, isns.isn(LOCAL + 1, 80, REMOTE, 40000, now));
        assertNotEquals(base, isns.isn(LOCAL, 81, REMOTE, 40000, now));
        assertNotEquals(base, isns.isn(LOCAL, 80, REMOTE + 1, 40000, now));
        assertNotEquals(base, isns.isn(LOCAL, 80, REMOTE, 40001, now));
        // Swapping the ends is another connection's view, not this one.
        assertNotEquals(base, isns.isn(REMOTE, 40000, LOCAL, 80, now));
    }

    @Test
    void ipv6TupleElementsChangeTheOffset() {
        int base = isns.isn(V6_HIGH, 1, 443, V6_HIGH, 2, 50000, 0);
        assertNotEquals(base, isns.isn(V6_HIGH + 1, 1, 443, V6_HIGH, 2, 50000, 0));
        assertNotEquals(base, isns.isn(V6_HIGH, 3, 443, V6_HIGH, 2, 50000, 0));
        assertNotEquals(base, isns.isn(V6_HIGH, 1, 443, V6_HIGH + 1, 2, 50000, 0));
        assertNotEquals(base, isns.isn(V6_HIGH, 1, 443, V6_HIGH, 4, 50000, 0));
        assertNotEquals(base, isns.isn(V6_HIGH, 1, 444, V6_HIGH, 2, 50000, 0));
    }

    @Test
    void neighbouringPortsGiveUnrelatedOffsets() {
        // A keyed hash, not a counter: 1000 consecutive client ports give 1000 distinct ISNs,
        // and no two neighbours are close (which an attacker could exploit to predict).
        Set<Integer> seen = new HashSet<>();
        int previous = isns.isn(LOCAL, 80, REMOTE, 30000, 0);
        int close = 0;
        for (int port = 30001; port <= 31000; port++) {
            int isn = isns.isn(LOCAL, 80, REMOTE, port, 0);
            seen.add(isn);
            if (Math.abs((long) isn - previous) < 1_000_000) {
                close++;
            }
            previous = isn;
        }
        assertEquals(1000, seen.size());
        assertTrue(close <= 5, "neighbouring ports within 10^6 of each other: " + close);
    }

    @Test
    void theKeyMatters() {
        InitialSequenceNumbers other = new InitialSequenceNumbers(KEY0, KEY1 + 1);
        assertNotEquals(isns.isn(LOCAL, 80, REMOTE, 40000, 0), other.isn(LOCAL, 80, REMOTE, 40000, 0));
    }

    @Test
    void copyAndRandomKeys() {
        assertEquals(isns.isn(LOCAL, 80, REMOTE, 40000, 99_000), isns.copy().isn(LOCAL, 80, REMOTE, 40000, 99_000));
        InitialSequenceNumbers a = InitialSequenceNumbers.withRandomKey();
        InitialSequenceNumbers b = InitialSequenceNumbers.withRandomKey();
        // Two 128-bit random keys agree on one 32-bit offset with probability 2^-32.
        assertNotEquals(a.isn(LOCAL, 80, REMOTE, 40000, 0), b.isn(LOCAL, 80, REMOTE, 40000, 0));
    }

    // RFC 7323 5.4 / RFC 6191: one timestamp offset per address pair, whatever the ports.
    @org.junit.jupiter.api.Test
    void timestampOffsetDependsOnTheAddressPairOnly() {
        InitialSequenceNumbers isn = new InitialSequenceNumbers(11, 22);
        int offset = isn.timestampOffset(0, 0x0a000001L, 0, 0x0a000002L);
        assertEquals(offset, isn.timestampOffset(0, 0x0a000001L, 0, 0x0a000002L));
        assertNotEquals(offset, isn.timestampOffset(0, 0x0a000001L, 0, 0x0a000003L));
        assertNotEquals(offset, new InitialSequenceNumbers(11, 23).timestampOffset(0, 0x0a000001L, 0, 0x0a000002L));
    }
}
