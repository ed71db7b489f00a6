package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** For any 4-tuple the ISN moves exactly with the 4-microsecond clock. */
class InitialSequenceNumbersPropertyTest {
    private final InitialSequenceNumbers isns = new InitialSequenceNumbers(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);

    @Property(tries = 300)
    void forOneTupleTheIsnAdvancesExactlyWithTheClock(@ForAll int local, @ForAll int remote,
                                                      @ForAll @IntRange(max = 65535) int localPort,
                                                      @ForAll @IntRange(max = 65535) int remotePort,
                                                      @ForAll @LongRange(min = -1L << 60, max = 1L << 60) long nowNs,
                                                      @ForAll @LongRange(min = 0, max = 3_600_000_000_000L) long laterByNs) {
        int first = isns.isn(local, localPort, remote, remotePort, nowNs);
        int later = isns.isn(local, localPort, remote, remotePort, nowNs + laterByNs);
        long expectedTicks = Math.floorDiv(nowNs + laterByNs, 4_000L) - Math.floorDiv(nowNs, 4_000L);
        assertEquals((int) expectedTicks, later - first);
        // Within an hour (< 2^31 ticks) a later ISN is never "before" the earlier one modulo 2^32.
        assertTrue(later - first >= 0);
    }
}
