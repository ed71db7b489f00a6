package io.mtcp4j.stack.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The measurements the allocation tests rely on: a counter stuck at zero, or a calibration that
 * swallowed real allocations, would let every one of them pass.
 */
class AllocationsTest {
    /** Escapes the allocations so that escape analysis cannot remove them. */
    static volatile Object escaped;

    @Test
    void emptyWorkMeasuresZeroOnceTheMeasuringIsCalibratedOut() {
        assertEquals(0, Allocations.leastBytesAllocatedBy(5, () -> { }));
    }

    @Test
    void everyAllocationOfARunIsCounted() {
        Allocations.Work<RuntimeException> hundredArrays = () -> {
            for (int i = 0; i < 100; i++) {
                escaped = new byte[64];
            }
        };
        assertTrue(Allocations.bytesAllocatedBy(hundredArrays) >= 100 * 64);
        assertTrue(Allocations.leastBytesAllocatedBy(5, hundredArrays) >= 100 * 64);
    }

    @Test
    void onlyTheMeasuredRunCountsNotTheWarmUp() {
        long allocated = Allocations.bytesAllocatedBy(() -> escaped = new byte[1 << 20], () -> escaped = new byte[64]);
        assertTrue(allocated >= 64 && allocated < 1 << 20, "counted " + allocated);
    }

    @Test
    void workMayThrowACheckedException() throws IOException {
        Allocations.Work<IOException> work = () -> {
            if (escaped == this) {
                throw new IOException("never");
            }
        };
        assertEquals(0, Allocations.leastBytesAllocatedBy(5, work));
    }
}
