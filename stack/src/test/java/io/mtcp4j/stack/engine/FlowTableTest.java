package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.tcp.TcpEndpoints;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowTableTest {
    /** 192.0.2.1 and 198.51.100.7 (RFC 5737 documentation addresses). */
    private static final int LOCAL_V4 = 0xc000_0201;
    private static final int REMOTE_V4 = 0xc633_6407;
    /** 2001:db8::1 and 2001:db8:0:1::7 (RFC 3849 documentation prefix). */
    private static final Ipv6Address LOCAL_V6 = new Ipv6Address(0x2001_0db8_0000_0000L, 1);
    private static final Ipv6Address REMOTE_V6 = new Ipv6Address(0x2001_0db8_0000_0001L, 7);

    private final FlowTable<String> table = new FlowTable<>(16, FlowTable.DEFAULT_LOAD_FACTOR, new Random(1));

    private static TcpEndpoints v4(int remotePort) {
        return TcpEndpoints.ipv4(LOCAL_V4, 80, REMOTE_V4, remotePort);
    }

    private static TcpEndpoints v6(int remotePort) {
        return TcpEndpoints.ipv6(LOCAL_V6, 443, REMOTE_V6, remotePort);
    }

    /** A distinct IPv4 tuple per {@code i}: many clients, one server port. */
    private static TcpEndpoints client(int i) {
        return TcpEndpoints.ipv4(LOCAL_V4, 80, REMOTE_V4 + (i >>> 14), 1024 + (i & 0x3fff));
    }

    private static int home(FlowTable<?> table, TcpEndpoints e) {
        return table.homeSlot(e.ipv6(), e.localHigh(), e.localLow(), e.localPort(),
                e.remoteHigh(), e.remoteLow(), e.remotePort());
    }

    @Test
    void anIpv4FlowIsFoundByItsTuple() {
        assertNull(table.put(false, 0, Integer.toUnsignedLong(LOCAL_V4), 80, 0, Integer.toUnsignedLong(REMOTE_V4), 50_000, "a"));
        assertEquals("a", table.get(false, 0, Integer.toUnsignedLong(LOCAL_V4), 80, 0, Integer.toUnsignedLong(REMOTE_V4), 50_000));
        assertEquals("a", table.get(v4(50_000)));
        assertEquals(1, table.size());
    }

    @Test
    void anIpv6FlowIsFoundByItsTuple() {
        table.put(v6(50_000), "b");
        assertEquals("b", table.get(true, LOCAL_V6.high(), LOCAL_V6.low(), 443, REMOTE_V6.high(), REMOTE_V6.low(), 50_000));
    }

    @Test
    void anEmptyTableFindsNothing() {
        assertNull(table.get(v4(1)));
        assertNull(table.remove(v4(1)));
        assertTrue(table.isEmpty());
    }

    @Test
    void puttingAnExistingTupleReplacesItsFlow() {
        table.put(v4(1), "old");
        assertEquals("old", table.put(v4(1), "new"));
        assertEquals("new", table.get(v4(1)));
        assertEquals(1, table.size());
    }

    @Test
    void aRemovedFlowIsGoneAndTheOthersStay() {
        table.put(v4(1), "one");
        table.put(v4(2), "two");
        assertEquals("one", table.remove(v4(1)));
        assertNull(table.get(v4(1)));
        assertNull(table.remove(v4(1)), "removing twice");
        assertEquals("two", table.get(v4(2)));
        assertEquals(1, table.size());
        table.put(v4(1), "again");
        assertEquals("again", table.get(v4(1)));
    }

    @Test
    void anIpv4TupleAndTheIpv6TupleWithTheSameBitsAreDifferentKeys() {
        // ::192.0.2.1 port 80 <-> ::198.51.100.7 port 5000 has exactly the IPv4 tuple's words.
        TcpEndpoints ipv4 = v4(5000);
        TcpEndpoints sameBitsIpv6 = new TcpEndpoints(true, 0, ipv4.localLow(), 80, 0, ipv4.remoteLow(), 5000);
        table.put(ipv4, "v4");
        assertNull(table.get(sameBitsIpv6));
        table.put(sameBitsIpv6, "v6");
        assertEquals("v4", table.get(ipv4));
        assertEquals("v6", table.get(sameBitsIpv6));
        assertEquals(2, table.size());
    }

    @Test
    void everyPartOfTheKeyCounts() {
        TcpEndpoints key = new TcpEndpoints(true, 1, 2, 3, 4, 5, 6);
        table.put(key, "key");
        List<TcpEndpoints> neighbours = List.of(
                new TcpEndpoints(true, 9, 2, 3, 4, 5, 6),
                new TcpEndpoints(true, 1, 9, 3, 4, 5, 6),
                new TcpEndpoints(true, 1, 2, 9, 4, 5, 6),
                new TcpEndpoints(true, 1, 2, 3, 9, 5, 6),
                new TcpEndpoints(true, 1, 2, 3, 4, 9, 6),
                new TcpEndpoints(true, 1, 2, 3, 4, 5, 9),
                key.reversed());
        for (TcpEndpoints other : neighbours) {
            assertNull(table.get(other), other::toString);
        }
        assertEquals("key", table.get(key));
    }

    @Test
    void theTwoDirectionsOfAConnectionAreDifferentKeys() {
        TcpEndpoints forward = v4(40_000);
        table.put(forward, "forward");
        assertNull(table.get(forward.reversed()));
        table.put(forward.reversed(), "reverse");
        assertEquals("forward", table.get(forward));
    }

    @Test
    void keysThatShareAHomeSlotAreAllFoundAndSurviveRemovalsInAnyOrder() {
        FlowTable<Integer> small = new FlowTable<>(40, 0.9f, new Random(2));  // 64 slots
        int capacity = small.capacity();
        // Collect tuples whose probe starts at slot 5, and some whose home is the slot after.
        List<TcpEndpoints> collide = new ArrayList<>();
        List<TcpEndpoints> next = new ArrayList<>();
        for (int i = 0; collide.size() < 6 || next.size() < 4; i++) {
            TcpEndpoints e = client(i);
            int home = home(small, e);
            if (home == 5 && collide.size() < 6) {
                collide.add(e);
            } else if (home == 6 && next.size() < 4) {
                next.add(e);
            }
        }
        List<TcpEndpoints> all = new ArrayList<>(collide);
        all.addAll(next);
        for (int i = 0; i < all.size(); i++) {
            small.put(all.get(i), i);
        }
        assertEquals(capacity, small.capacity(), "no growth");
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i, small.get(all.get(i)));
        }
        // Remove from the middle of the cluster, then its head: everything else stays reachable.
        Set<Integer> removed = new HashSet<>();
        for (int victim : new int[] {2, 0, 7, 4}) {
            assertEquals(victim, small.remove(all.get(victim)));
            removed.add(victim);
            for (int i = 0; i < all.size(); i++) {
                assertEquals(removed.contains(i) ? null : Integer.valueOf(i), small.get(all.get(i)),
                        "key " + i + " after removing " + victim);
            }
        }
        assertEquals(all.size() - 4, small.size());
    }

    @Test
    void aClusterThatWrapsPastTheLastSlotSurvivesRemovals() {
        FlowTable<Integer> small = new FlowTable<>(40, 0.9f, new Random(3));
        int last = small.capacity() - 1;
        List<TcpEndpoints> wrapping = new ArrayList<>();
        for (int i = 0; wrapping.size() < 5; i++) {
            if (home(small, client(i)) == last) {
                wrapping.add(client(i));
            }
        }
        List<TcpEndpoints> atZero = new ArrayList<>();
        for (int i = 0; atZero.size() < 2; i++) {
            if (home(small, client(i)) == 0) {
                atZero.add(client(i));
            }
        }
        for (int i = 0; i < 5; i++) {
            small.put(wrapping.get(i), i);
        }
        small.put(atZero.get(0), 100);
        small.put(atZero.get(1), 101);
        assertEquals(0, small.remove(wrapping.get(0)));
        assertEquals(1, small.remove(wrapping.get(1)));
        for (int i = 2; i < 5; i++) {
            assertEquals(i, small.get(wrapping.get(i)));
        }
        assertEquals(100, small.get(atZero.get(0)));
        assertEquals(101, small.get(atZero.get(1)));
        assertEquals(100, small.remove(atZero.get(0)));
        assertEquals(101, small.get(atZero.get(1)));
    }

    @Test
    void theTableGrowsPastItsLoadFactorAndKeepsEveryFlow() {
        FlowTable<Integer> growing = new FlowTable<>(1, 0.5f, new Random(4));
        int initial = growing.capacity();
        for (int i = 0; i < 10_000; i++) {
            assertNull(growing.put(client(i), i));
        }
        assertEquals(10_000, growing.size());
        assertTrue(growing.capacity() > initial);
        assertEquals(0, Integer.bitCount(growing.capacity()) - 1, "a power of two");
        assertTrue(growing.size() <= growing.capacity() * 0.5f, "load factor kept");
        for (int i = 0; i < 10_000; i++) {
            assertEquals(i, growing.get(client(i)));
        }
        assertNull(growing.get(client(10_000)));
    }

    @Test
    void aTableSizedForItsFlowsDoesNotGrow() {
        FlowTable<Integer> sized = new FlowTable<>(1000);
        int capacity = sized.capacity();
        for (int i = 0; i < 1000; i++) {
            sized.put(client(i), i);
        }
        assertEquals(capacity, sized.capacity());
        sized.put(client(1000), 1000);
        sized.put(client(1001), 1001);  // may grow now; still finds everything
        for (int i = 0; i < 1002; i++) {
            assertEquals(i, sized.get(client(i)));
        }
    }

    @Test
    void churnWithoutTombstonesKeepsEveryLookupCorrect() {
        // One new connection per request: put, then remove, a hundred thousand times over a
        // standing population; a tombstone table would fill with dead slots here.
        FlowTable<Integer> churn = new FlowTable<>(2000, 0.75f, new Random(5));
        int capacity = churn.capacity();
        for (int i = 0; i < 1000; i++) {
            churn.put(client(i), i);
        }
        for (int i = 1000; i < 101_000; i++) {
            churn.put(client(i), i);
            assertEquals(i - 1000, churn.remove(client(i - 1000)));
        }
        assertEquals(1000, churn.size());
        assertEquals(capacity, churn.capacity());
        for (int i = 100_000; i < 101_000; i++) {
            assertEquals(i, churn.get(client(i)));
        }
        assertNull(churn.get(client(5)));
    }

    @Test
    void forEachVisitsEveryFlowOnce() {
        for (int i = 0; i < 300; i++) {
            table.put(client(i), "flow" + i);
        }
        Set<String> seen = new HashSet<>();
        int[] visits = new int[1];
        table.forEach(flow -> {
            seen.add(flow);
            visits[0]++;
        });
        assertEquals(300, visits[0]);
        assertEquals(300, seen.size());
        assertTrue(seen.contains("flow0") && seen.contains("flow299"));
    }

    @Test
    void forEachRefusesAConsumerThatChangesTheTable() {
        table.put(v4(1), "a");
        table.put(v4(2), "b");
        assertThrows(ConcurrentModificationException.class, () -> table.forEach(flow -> table.remove(v4(1))));
    }

    @Test
    void removeIfRemovesExactlyTheChosenFlows() {
        FlowTable<Integer> dense = new FlowTable<>(100, 0.9f, new Random(6));
        for (int i = 0; i < 110; i++) {
            dense.put(client(i), i);
        }
        List<Integer> tested = new ArrayList<>();
        int removed = dense.removeIf(flow -> {
            tested.add(flow);
            return flow % 3 == 0;
        });
        assertEquals(37, removed);
        assertEquals(110, tested.size(), "each flow tested once");
        assertEquals(110, new HashSet<>(tested).size());
        assertEquals(73, dense.size());
        for (int i = 0; i < 110; i++) {
            assertEquals(i % 3 == 0 ? null : Integer.valueOf(i), dense.get(client(i)));
        }
    }

    @Test
    void clearEmptiesTheTableAndKeepsItsCapacity() {
        for (int i = 0; i < 100; i++) {
            table.put(client(i), "x");
        }
        int capacity = table.capacity();
        table.clear();
        assertEquals(0, table.size());
        assertEquals(capacity, table.capacity());
        assertNull(table.get(client(3)));
        int[] visits = new int[1];
        table.forEach(flow -> visits[0]++);
        assertEquals(0, visits[0]);
        table.put(client(3), "back");
        assertEquals("back", table.get(client(3)));
    }

    @Test
    void invalidKeysAndNullFlowsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> table.put(false, 0, 1, 65_536, 0, 2, 80, "x"));
        assertThrows(IllegalArgumentException.class, () -> table.put(false, 0, 1, 80, 0, 2, -1, "x"));
        assertThrows(IllegalArgumentException.class, () -> table.put(false, 1, 1, 80, 0, 2, 80, "x"), "IPv4 high half");
        assertThrows(IllegalArgumentException.class, () -> table.put(false, 0, 1L << 32, 80, 0, 2, 80, "x"));
        assertThrows(NullPointerException.class, () -> table.put(v4(1), null));
        assertThrows(IllegalArgumentException.class, () -> new FlowTable<String>(-1));
        assertThrows(IllegalArgumentException.class, () -> new FlowTable<String>(10, 1.0f, new Random()));
        assertEquals(0, table.size());
    }

    @Test
    void lookupsWithPortsOutsideSixteenBitsFindNothingRatherThanAnAlias() {
        table.put(v4(80), "eighty");
        TcpEndpoints e = v4(80);
        assertNull(table.get(false, 0, e.localLow(), 80, 0, e.remoteLow(), 80 + 65_536));
        assertNull(table.get(false, 0, e.localLow(), 80 - 65_536 * 2, 0, e.remoteLow(), 80));
        assertNull(table.remove(false, 0, e.localLow(), 80, 0, e.remoteLow(), -65_456));
        assertEquals("eighty", table.get(e));
    }

    @Test
    void ipv4LookupsWithStrayHighBitsFindNothing() {
        table.put(v4(80), "eighty");
        TcpEndpoints e = v4(80);
        assertNull(table.get(false, 0, e.localLow() | (1L << 40), 80, 0, e.remoteLow(), 80));
        assertNull(table.get(false, 0, e.localLow(), 80, 1, e.remoteLow(), 80));
    }

    @Test
    void theSameSeedGivesTheSameLayoutAndAnotherSeedADifferentOne() {
        FlowTable<String> a = new FlowTable<>(1000, 0.5f, new Random(42));
        FlowTable<String> b = new FlowTable<>(1000, 0.5f, new Random(42));
        FlowTable<String> c = new FlowTable<>(1000, 0.5f, new Random(43));
        int differing = 0;
        for (int i = 0; i < 100; i++) {
            assertEquals(home(a, client(i)), home(b, client(i)));
            if (home(a, client(i)) != home(c, client(i))) {
                differing++;
            }
        }
        assertTrue(differing > 90, "the hash key decides the slot: " + differing + " of 100 differ");
    }

    @Test
    void tuplesThatCollideUnderOneTablesKeyScatterUnderAnother() {
        // An attacker who found tuples sharing a slot (for instance by timing) in one table gains
        // nothing against a table with another key: they spread over the slots like any tuples.
        FlowTable<String> victim = new FlowTable<>(500, 0.5f, new Random(7));
        FlowTable<String> other = new FlowTable<>(500, 0.5f, new Random(8));
        List<TcpEndpoints> colliding = new ArrayList<>();
        for (int i = 0; colliding.size() < 20; i++) {
            TcpEndpoints e = TcpEndpoints.ipv6(LOCAL_V6, 443, new Ipv6Address(REMOTE_V6.high(), i), 1234);
            if (home(victim, e) == 0) {
                colliding.add(e);
            }
        }
        Set<Integer> slots = new HashSet<>();
        for (TcpEndpoints e : colliding) {
            slots.add(home(other, e));
        }
        assertTrue(slots.size() >= 15, "20 tuples landed on only " + slots.size() + " slots");
    }

    @Test
    void recordAndPrimitiveFormsAgree() {
        TcpEndpoints e = v6(12_345);
        table.put(e.ipv6(), e.localHigh(), e.localLow(), e.localPort(), e.remoteHigh(), e.remoteLow(), e.remotePort(), "p");
        assertEquals("p", table.get(e));
        assertEquals("p", table.remove(e));
        assertFalse(table.remove(e) != null);
    }

    @Test
    void valuesAreHeldByIdentity() {
        String flow = new String("flow");
        table.put(v4(9), flow);
        assertSame(flow, table.get(v4(9)));
        assertNotEquals(0, table.capacity());
    }
}
