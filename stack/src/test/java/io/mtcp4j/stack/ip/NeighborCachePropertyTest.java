package io.mtcp4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple3;

/**
 * The cache's table (hash index with backward-shift deletion, LRU replacement) against a naive
 * model: a list in recency order and a map. Keys come from a small universe of IPv4 and IPv6
 * addresses, so that the 16-bucket index of an 8-entry table collides and deletes constantly.
 */
class NeighborCachePropertyTest {
    private static final int CAPACITY = 8;
    private static final long NOW = 5_000_000_000L;

    /** Operation 0: learn (create or replace) key with a MAC; 1: resolve (use) a key if the model has it. */
    @Provide
    Arbitrary<List<Tuple3<Integer, Integer, Integer>>> operations() {
        return Arbitraries.integers().between(0, 1)
                .flatMap(op -> Arbitraries.integers().between(0, 23)
                        .flatMap(key -> Arbitraries.integers().between(1, 3).map(mac -> Tuple.of(op, key, mac))))
                .list().ofMinSize(1).ofMaxSize(200);
    }

    private static long high(int key) {
        // Half IPv4 (high 0), half IPv6 neighbours sharing a prefix and differing in the last bytes.
        return key % 2 == 0 ? 0 : 0x2001_0db8_0000_0000L;
    }

    private static long low(int key) {
        return key % 2 == 0 ? 0x0a00_0000L + key : 0x0200_00ff_fe00_0000L + key;
    }

    @Property(tries = 300)
    void tableMatchesAnLruModel(@ForAll("operations") List<Tuple3<Integer, Integer, Integer>> operations) {
        NeighborCache cache = new NeighborCache(NeighborConfig.defaults().withSizes(CAPACITY, 3, 8));
        RecordingNeighborOutput output = new RecordingNeighborOutput();
        List<Integer> recency = new ArrayList<>();
        Map<Integer, Long> macs = new HashMap<>();
        for (Tuple3<Integer, Integer, Integer> operation : operations) {
            int key = operation.get2();
            long mac = 0x0200_0000_0000L + key * 16L + operation.get3();
            if (operation.get1() == 0) {
                cache.learn(high(key), low(key), mac, NeighborCache.OVERRIDE | NeighborCache.CREATE, NOW, output);
                if (!macs.containsKey(key)) {
                    if (recency.size() == CAPACITY) {
                        macs.remove(recency.removeLast());
                    }
                    recency.addFirst(key);
                }
                macs.put(key, mac);
            } else if (macs.containsKey(key)) {
                assertEquals(macs.get(key), cache.resolve(high(key), low(key), NOW));
                recency.remove(Integer.valueOf(key));
                recency.addFirst(key);
            }
            assertEquals(macs.size(), cache.size());
            for (int probe = 0; probe < 24; probe++) {
                long expected = macs.getOrDefault(probe, NeighborCache.NO_MAC);
                assertEquals(expected, cache.cachedMac(high(probe), low(probe)), "key " + probe + " after " + operation);
            }
        }
    }
}
