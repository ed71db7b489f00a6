package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RingPoolTest {
    private static final int KIB = 1024;

    @Nested
    class HandingOut {
        @Test
        void aNewRingIsEmptyAtOffsetZeroWithTheCapacityAsked() {
            RingPool pool = new RingPool(1 << 20);
            ByteRing ring = pool.allocate(4 * KIB);
            assertEquals(4 * KIB, ring.capacity());
            assertEquals(0, ring.head());
            assertEquals(0, ring.tail());
            assertEquals(1, pool.ringsCreated());
            assertEquals(0, pool.ringsReused());
            assertEquals(1, pool.ringsInUse());
        }

        @Test
        void aReturnedRingIsHandedOutAgainEmptyAndFromOffsetZero() {
            RingPool pool = new RingPool(1 << 20);
            ByteRing ring = pool.allocate(4 * KIB);
            ring.append(ByteRingTest.counting(0, 3000), 0, 3000);
            ring.read(new byte[1000], 0, 1000);
            pool.recycle(ring);
            assertEquals(4 * KIB, pool.idleBytes());

            ByteRing again = pool.allocate(4 * KIB);
            assertSame(ring, again);
            assertEquals(0, again.head());
            assertEquals(0, again.tail());
            assertEquals(4 * KIB, again.freeBytes());
            assertEquals(1, pool.ringsCreated());
            assertEquals(1, pool.ringsReused());
            assertEquals(1, pool.ringsRecycled());
            assertEquals(0, pool.idleBytes());
        }

        @Test
        void theMostRecentlyReturnedRingComesFirst() {
            RingPool pool = new RingPool(1 << 20);
            ByteRing first = pool.allocate(4 * KIB);
            ByteRing second = pool.allocate(4 * KIB);
            pool.recycle(first);
            pool.recycle(second);
            assertSame(second, pool.allocate(4 * KIB));
            assertSame(first, pool.allocate(4 * KIB));
        }

        @Test
        void eachCapacityIsItsOwnClass() {
            RingPool pool = new RingPool(1 << 20);
            ByteRing small = pool.allocate(4 * KIB);
            pool.recycle(small);
            ByteRing large = pool.allocate(8 * KIB);
            assertNotSame(small, large);
            assertEquals(8 * KIB, large.capacity());
            assertEquals(2, pool.ringsCreated());
            assertSame(small, pool.allocate(4 * KIB));
        }

        @Test
        void capacityMustBeAPowerOfTwo() {
            RingPool pool = new RingPool(1 << 20);
            assertThrows(IllegalArgumentException.class, () -> pool.allocate(3000));
            assertThrows(IllegalArgumentException.class, () -> pool.allocate(0));
            assertThrows(IllegalArgumentException.class, () -> pool.allocate(-4096));
        }
    }

    @Nested
    class Slabs {
        @Test
        void sixteenRingsShareOneSlabWithoutOverlapping() {
            RingPool pool = new RingPool(1 << 20, 1 << 20);
            List<ByteRing> rings = new ArrayList<>();
            for (int i = 0; i < RingPool.RINGS_PER_SLAB; i++) {
                ByteRing ring = pool.allocate(4 * KIB);
                ring.append(ByteRingTest.counting(i, 4 * KIB), 0, 4 * KIB); // fills it: a neighbour's bytes would show
                rings.add(ring);
            }
            long slabBytes = RingPool.RINGS_PER_SLAB * 4L * KIB;
            assertEquals(slabBytes, pool.nativeBytesAllocated(), "one slab of sixteen rings");
            for (int i = 0; i < rings.size(); i++) {
                byte[] bytes = new byte[4 * KIB];
                assertEquals(4 * KIB, rings.get(i).read(bytes, 0, bytes.length));
                assertArrayEquals(ByteRingTest.counting(i, 4 * KIB), bytes, "ring " + i);
            }
            pool.allocate(4 * KIB);
            assertEquals(2 * slabBytes, pool.nativeBytesAllocated(), "the seventeenth ring starts a second slab");
        }

        @Test
        void aSlabIsNoLargerThanTheSlabSize() {
            RingPool pool = new RingPool(1 << 20, 64 * KIB);
            pool.allocate(16 * KIB);
            assertEquals(64 * KIB, pool.nativeBytesAllocated(), "four rings of 16 KiB in a 64 KiB slab");
            for (int i = 0; i < 3; i++) {
                pool.allocate(16 * KIB);
            }
            assertEquals(64 * KIB, pool.nativeBytesAllocated());
        }

        @Test
        void ringsOfTheSlabSizeOrLargerAreAllocatedAlone() {
            RingPool pool = new RingPool(1 << 20, 64 * KIB);
            pool.allocate(64 * KIB);
            assertEquals(64 * KIB, pool.nativeBytesAllocated());
            pool.allocate(256 * KIB);
            assertEquals(320 * KIB, pool.nativeBytesAllocated());
        }

        @Test
        void slabSizeMustBeAPowerOfTwoOfAPageOrMore() {
            assertThrows(IllegalArgumentException.class, () -> new RingPool(0, 2048));
            assertThrows(IllegalArgumentException.class, () -> new RingPool(0, 3 << 20));
            assertThrows(IllegalArgumentException.class, () -> new RingPool(-1, 1 << 20));
        }
    }

    @Nested
    class IdleLimit {
        @Test
        void ringsReturnedBeyondTheLimitAreForgotten() {
            RingPool pool = new RingPool(8 * KIB);
            ByteRing a = pool.allocate(4 * KIB);
            ByteRing b = pool.allocate(4 * KIB);
            ByteRing c = pool.allocate(4 * KIB);
            pool.recycle(a);
            pool.recycle(b);
            pool.recycle(c);
            assertEquals(8 * KIB, pool.idleBytes());
            assertEquals(3, pool.ringsRecycled());
            assertEquals(1, pool.ringsDiscarded());
            assertEquals(0, pool.ringsInUse());

            assertSame(b, pool.allocate(4 * KIB));
            assertSame(a, pool.allocate(4 * KIB));
            ByteRing fresh = pool.allocate(4 * KIB);
            assertNotSame(c, fresh, "the forgotten ring is not handed out again");
            assertEquals(4, pool.ringsCreated());
        }

        @Test
        void aZeroLimitKeepsNothing() {
            RingPool pool = new RingPool(0);
            ByteRing ring = pool.allocate(4 * KIB);
            pool.recycle(ring);
            assertEquals(0, pool.idleBytes());
            assertEquals(1, pool.ringsDiscarded());
            assertNotSame(ring, pool.allocate(4 * KIB));
        }

        @Test
        void theLimitCountsAllClassesTogether() {
            RingPool pool = new RingPool(12 * KIB);
            ByteRing large = pool.allocate(8 * KIB);
            ByteRing small = pool.allocate(4 * KIB);
            ByteRing another = pool.allocate(4 * KIB);
            pool.recycle(large);
            pool.recycle(small);
            pool.recycle(another);
            assertEquals(12 * KIB, pool.idleBytes());
            assertEquals(1, pool.ringsDiscarded());
        }
    }

    @Nested
    class Misuse {
        @Test
        void returningARingTwiceThrows() {
            RingPool pool = new RingPool(1 << 20);
            ByteRing ring = pool.allocate(4 * KIB);
            pool.recycle(ring);
            assertThrows(IllegalStateException.class, () -> pool.recycle(ring));
            assertEquals(4 * KIB, pool.idleBytes(), "still idle once, not twice");
        }

        @Test
        void returningAForgottenRingAgainThrows() {
            RingPool pool = new RingPool(0);
            ByteRing ring = pool.allocate(4 * KIB);
            pool.recycle(ring);
            assertThrows(IllegalStateException.class, () -> pool.recycle(ring));
        }

        @Test
        void aRingFromElsewhereIsRefused() {
            RingPool pool = new RingPool(1 << 20);
            RingPool other = new RingPool(1 << 20);
            assertThrows(IllegalArgumentException.class, () -> pool.recycle(ByteRing.allocate(4 * KIB)));
            assertThrows(IllegalArgumentException.class, () -> pool.recycle(other.allocate(4 * KIB)));
            assertEquals(0, pool.ringsRecycled());
        }
    }

    @Test
    void unpooledAllocatesEveryRingAndKeepsNone() {
        RingAllocator unpooled = RingAllocator.unpooled();
        ByteRing ring = unpooled.allocate(4 * KIB);
        unpooled.recycle(ring);
        ByteRing next = unpooled.allocate(4 * KIB);
        assertNotSame(ring, next);
        assertTrue(next.isEmpty());
    }
}
