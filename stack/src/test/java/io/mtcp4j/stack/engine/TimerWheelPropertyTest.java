package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.engine.TimerWheel.Timer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random sequences of arming, moving, cancelling and advancing time, against a model that is a
 * map from timer to deadline: every poll must fire exactly the armed timers whose deadline,
 * rounded up to the wheel's tick, is at or before now (so none early and none more than a tick
 * late), and {@link TimerWheel#nextDeadlineNs()} must never be later than the earliest one.
 */
class TimerWheelPropertyTest {
    private static final long MS = 1_000_000L;
    private static final int TIMERS = 24;

    /** kind 0: arm timer {@code index} {@code amount} ns from now (may be negative); 1: cancel; 2: advance by amount; 3: advance to nextDeadlineNs. */
    record Op(int kind, int index, long amount) {}

    record Scenario(long startNs, long tickNs, List<Op> ops) {}

    @Provide
    Arbitrary<Scenario> scenarios() {
        // Delays from each level: sub-tick, level 0, seconds, minutes, hours, days, beyond 2^32 ms.
        Arbitrary<Long> delay = Arbitraries.oneOf(
                Arbitraries.longs().between(-5 * MS, 3 * MS),
                Arbitraries.longs().between(0, 300 * MS),
                Arbitraries.longs().between(0, 20_000 * MS),
                Arbitraries.longs().between(0, 3_600_000 * MS),
                Arbitraries.longs().between(0, 100L * 3_600_000 * MS),
                Arbitraries.longs().between(0, 80L * 86_400_000 * MS));
        Arbitrary<Long> step = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 2 * MS),
                Arbitraries.longs().between(0, 400 * MS),
                Arbitraries.longs().between(0, 60_000 * MS),
                Arbitraries.longs().between(0, 10L * 3_600_000 * MS),
                Arbitraries.longs().between(0, 30L * 86_400_000 * MS));
        Arbitrary<Integer> index = Arbitraries.integers().between(0, TIMERS - 1);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(5, Combinators.combine(index, delay).as((i, d) -> new Op(0, i, d))),
                Tuple.of(2, index.map(i -> new Op(1, i, 0))),
                Tuple.of(3, step.map(s -> new Op(2, 0, s))),
                Tuple.of(2, Arbitraries.just(new Op(3, 0, 0))));
        Arbitrary<Long> start = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.just(0L),
                Arbitraries.just(Long.MAX_VALUE - 1000 * MS));
        // A 1 us tick makes the longest delays go round the top level hundreds of times.
        Arbitrary<Long> tick = Arbitraries.of(MS, 1_000L, 250_000L, 10 * MS);
        return Combinators.combine(start, tick, op.list().ofMinSize(1).ofMaxSize(80)).as(Scenario::new);
    }

    @Property(tries = 400)
    void firesExactlyTheTimersDueByTheirTick(@ForAll("scenarios") Scenario scenario) {
        long start = scenario.startNs();
        long tickNs = scenario.tickNs();
        TimerWheel wheel = new TimerWheel(tickNs, start);
        Timer[] timers = new Timer[TIMERS];
        for (int i = 0; i < TIMERS; i++) {
            timers[i] = new Timer(null, i);
        }
        Map<Integer, Long> armed = new HashMap<>();  // the model: timer index -> deadline
        Set<Integer> firedNow = new HashSet<>();
        TimerWheel.Handler handler = (timer, nowNs) -> {
            assertTrue(firedNow.add(timer.kind()), "fired twice in one poll");
            assertTrue(nowNs - timer.deadlineNs() >= 0, "fired before its deadline");
        };
        long now = start;
        for (Op op : scenario.ops()) {
            switch (op.kind()) {
                case 0 -> {
                    wheel.schedule(timers[op.index()], now + op.amount());
                    armed.put(op.index(), now + op.amount());
                }
                case 1 -> assertEquals(armed.remove(op.index()) != null, wheel.cancel(timers[op.index()]));
                default -> {
                    long next = wheel.nextDeadlineNs();
                    long target = op.kind() == 2 ? now + op.amount()
                            : next == TimerWheel.NO_DEADLINE ? now + tickNs : next;
                    if (target - now < 0) {
                        target = now;  // a next deadline in the past: poll now
                    }
                    now = target;
                    firedNow.clear();
                    int count = wheel.poll(now, handler);
                    Set<Integer> expected = new HashSet<>();
                    for (Map.Entry<Integer, Long> entry : armed.entrySet()) {
                        if (roundedUp(entry.getValue(), start, tickNs) - now <= 0) {
                            expected.add(entry.getKey());
                        }
                    }
                    assertEquals(expected, firedNow, "at " + (now - start) + " ns after the start");
                    assertEquals(expected.size(), count);
                    armed.keySet().removeAll(expected);
                }
            }
            assertEquals(armed.size(), wheel.size());
            for (int i = 0; i < TIMERS; i++) {
                assertEquals(armed.containsKey(i), timers[i].isScheduled());
            }
            if (armed.isEmpty()) {
                assertEquals(TimerWheel.NO_DEADLINE, wheel.nextDeadlineNs());
            } else {
                long earliest = armed.values().stream()
                        .map(d -> roundedUp(d, start, tickNs))
                        .min((a, b) -> Long.compare(a - start, b - start)).orElseThrow();
                assertTrue(wheel.nextDeadlineNs() - earliest <= 0,
                        "next deadline " + (wheel.nextDeadlineNs() - start) + " after the earliest " + (earliest - start));
            }
        }
    }

    @Property(tries = 200)
    void aBoundedPollFiresTheBudgetOrEverythingDueAndNothingEarly(
            @ForAll("scenarios") Scenario scenario, @ForAll("budgets") int budget) {
        long start = scenario.startNs();
        long tickNs = scenario.tickNs();
        TimerWheel wheel = new TimerWheel(tickNs, start);
        Timer[] timers = new Timer[TIMERS];
        for (int i = 0; i < TIMERS; i++) {
            timers[i] = new Timer(null, i);
        }
        Map<Integer, Long> armed = new HashMap<>();
        Set<Integer> firedNow = new HashSet<>();
        TimerWheel.Handler handler = (timer, nowNs) -> firedNow.add(timer.kind());
        long now = start;
        for (Op op : scenario.ops()) {
            switch (op.kind()) {
                case 0 -> {
                    wheel.schedule(timers[op.index()], now + op.amount());
                    armed.put(op.index(), now + op.amount());
                }
                case 1 -> {
                    wheel.cancel(timers[op.index()]);
                    armed.remove(op.index());
                }
                default -> {
                    now += op.amount();
                    firedNow.clear();
                    int count = wheel.poll(now, handler, budget);
                    Set<Integer> due = new HashSet<>();
                    for (Map.Entry<Integer, Long> entry : armed.entrySet()) {
                        if (roundedUp(entry.getValue(), start, tickNs) - now <= 0) {
                            due.add(entry.getKey());
                        }
                    }
                    assertEquals(Math.min(budget, due.size()), count);
                    assertTrue(due.containsAll(firedNow), "fired a timer that was not due");
                    armed.keySet().removeAll(firedNow);
                    assertEquals(due.size() - count, wheel.dueCount());
                    if (wheel.dueCount() > 0) {
                        assertTrue(wheel.nextDeadlineNs() - now <= 0, "timers due, yet the next deadline is ahead");
                    }
                }
            }
            assertEquals(armed.size(), wheel.size());
        }
    }

    @Provide
    Arbitrary<Integer> budgets() {
        return Arbitraries.integers().between(0, 4);
    }

    /** The deadline rounded up to the wheel's tick grid, which starts at {@code start}. */
    private static long roundedUp(long deadlineNs, long start, long tickNs) {
        return start + Math.ceilDiv(deadlineNs - start, tickNs) * tickNs;
    }
}
