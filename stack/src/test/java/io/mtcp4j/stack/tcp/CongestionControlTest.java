package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The factory by name and the shared RFC 6928 initial window. */
class CongestionControlTest {
    @Test
    void createsEachAlgorithmByName() {
        assertInstanceOf(Cubic.class, CongestionControl.create("cubic"));
        assertInstanceOf(NewReno.class, CongestionControl.create("newreno"));
    }

    @Test
    void namesIgnoreAsciiCase() {
        assertInstanceOf(Cubic.class, CongestionControl.create("CUBIC"));
        assertInstanceOf(NewReno.class, CongestionControl.create("NewReno"));
    }

    @Test
    void eachCallGivesAFreshInstance() {
        assertNotSame(CongestionControl.create("cubic"), CongestionControl.create("cubic"));
    }

    @Test
    void createdInstancesReportTheNameTheyWereCreatedBy() {
        for (String name : CongestionControl.NAMES) {
            assertEquals(name, CongestionControl.create(name).name());
        }
        assertEquals(List.of("cubic", "newreno"), CongestionControl.NAMES);
    }

    @Test
    void unknownNameNamesTheValueAndTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CongestionControl.create("bbr"));
        assertEquals("unknown congestion control 'bbr'; allowed: cubic, newreno", e.getMessage());
    }

    @Test
    void nullAndEmptyNamesAreRejectedTheSameWay() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CongestionControl.create(null))
                .getMessage().contains("'null'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CongestionControl.create(""))
                .getMessage().contains("allowed: cubic, newreno"));
        assertThrows(IllegalArgumentException.class, () -> CongestionControl.create(" cubic"));
    }

    @Test
    void initialWindowPerRfc6928() {
        // min(10 * MSS, max(2 * MSS, 14600)).
        assertEquals(5_360, CongestionControl.initialWindowBytes(536));
        assertEquals(12_200, CongestionControl.initialWindowBytes(1220));
        assertEquals(14_600, CongestionControl.initialWindowBytes(1460));
        assertEquals(14_600, CongestionControl.initialWindowBytes(1461));   // 10 MSS would be 14610
        assertEquals(14_600, CongestionControl.initialWindowBytes(7300));
        assertEquals(17_920, CongestionControl.initialWindowBytes(8960));   // 2 MSS above 14600
        assertEquals(2 * 65_535, CongestionControl.initialWindowBytes(65_535));
    }

    @Test
    void bothAlgorithmsStartAlike() {
        for (String name : CongestionControl.NAMES) {
            CongestionControl cc = CongestionControl.create(name);
            cc.init(1460, 0);
            assertEquals(14_600, cc.cwndBytes(), name);
            assertEquals(CongestionControl.INFINITE_SSTHRESH_BYTES, cc.ssthreshBytes(), name);
            assertTrue(cc.inSlowStart(), name);
        }
    }
}
