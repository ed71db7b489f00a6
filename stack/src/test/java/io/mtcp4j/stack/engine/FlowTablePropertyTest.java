package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtcp4j.stack.tcp.TcpEndpoints;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random puts, gets, removes and filtered removals against {@link java.util.HashMap} keyed by
 * {@link TcpEndpoints}: every answer, the size and the set of entries must agree. Keys come from a
 * small pool (so the same tuple comes back often) mixing IPv4 and IPv6 tuples with the same bits;
 * tables start tiny and dense so that they grow, collide and wrap clusters round the last slot.
 */
class FlowTablePropertyTest {
    /** kind 0: put key with value; 1: get; 2: remove; 3: removeIf value % 5 == modulus. */
    record Op(int kind, int key, int value) {}

    record Scenario(long seed, float loadFactor, int expected, List<Op> ops) {}

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(6, Combinators.combine(Arbitraries.integers().between(0, 199),
                        Arbitraries.integers().between(0, 1000)).as((k, v) -> new Op(0, k, v))),
                Tuple.of(4, Arbitraries.integers().between(0, 199).map(k -> new Op(1, k, 0))),
                Tuple.of(4, Arbitraries.integers().between(0, 199).map(k -> new Op(2, k, 0))),
                Tuple.of(1, Arbitraries.integers().between(0, 4).map(m -> new Op(3, 0, m))));
        return Combinators.combine(Arbitraries.longs(), Arbitraries.of(0.25f, 0.5f, 0.75f, 0.95f),
                Arbitraries.integers().between(0, 64), op.list().ofMaxSize(400)).as(Scenario::new);
    }

    /** Key {@code k} of the pool: IPv4 for even k, IPv6 for odd; neighbours share most bits. */
    static TcpEndpoints key(int k) {
        int n = k >>> 1;
        if ((k & 1) == 0) {
            return new TcpEndpoints(false, 0, 0x0a00_0001L, 80, 0, 0x0a00_0000L + (n % 7), 40_000 + n / 7);
        }
        // The IPv6 tuples reuse the IPv4 tuples' words, so only the family tells them apart.
        return new TcpEndpoints(true, n % 3, 0x0a00_0001L, 80, 0, 0x0a00_0000L + (n % 7), 40_000 + n / 7);
    }

    @Property(tries = 300)
    void behavesLikeAHashMap(@ForAll("scenarios") Scenario scenario) {
        FlowTable<Integer> table = new FlowTable<>(scenario.expected(), scenario.loadFactor(), new Random(scenario.seed()));
        Map<TcpEndpoints, Integer> model = new HashMap<>();
        for (Op op : scenario.ops()) {
            TcpEndpoints key = key(op.key());
            switch (op.kind()) {
                case 0 -> assertEquals(model.put(key, op.value()), table.put(key, op.value()));
                case 1 -> assertEquals(model.get(key), table.get(key));
                case 2 -> assertEquals(model.remove(key), table.remove(key));
                default -> {
                    int before = model.size();
                    model.values().removeIf(v -> v % 5 == op.value());
                    assertEquals(before - model.size(), table.removeIf(v -> v % 5 == op.value()));
                }
            }
            assertEquals(model.size(), table.size());
        }
        for (int k = 0; k < 200; k++) {
            assertEquals(model.get(key(k)), table.get(key(k)), "key " + k);
        }
        Map<Integer, Integer> valueCounts = new HashMap<>();
        table.forEach(v -> valueCounts.merge(v, 1, Integer::sum));
        Map<Integer, Integer> expectedCounts = new HashMap<>();
        model.values().forEach(v -> expectedCounts.merge(v, 1, Integer::sum));
        assertEquals(expectedCounts, valueCounts);
    }
}
