package io.mtcp4j.bench;

import io.mtcp4j.stack.engine.TimerWheel;
import io.mtcp4j.stack.engine.TimerWheel.Timer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of the engine's timer operations on a {@link TimerWheel} (1 ms ticks) that already holds
 * {@code timers} armed timers, one per connection, with deadlines spread from 1 ms to 1 s (the
 * delayed-ACK and RTO range, so levels 0 and 1 and their cascades are involved).
 *
 * <ul>
 *   <li>{@code scheduleCancel}: arm a timer that is not armed, then cancel it (a delayed ACK that
 *       a data segment makes unnecessary).</li>
 *   <li>{@code reschedule}: move an armed timer to a new deadline (the RTO restarted by every ACK
 *       that acknowledges new data).</li>
 *   <li>{@code expiry}: one engine loop per operation: time moves one tick, the poll fires what is
 *       due, and the handler re-arms each fired timer 1 ms to 1 s ahead, so the population stays
 *       constant. The primary score is the time of one loop (one tick); the {@code :expiries}
 *       row is the time per timer fired, re-arm included (JMH divides the time by the count).
 *       With deadlines 1 to 1000 ticks ahead, about {@code timers / 500} fire per tick.</li>
 * </ul>
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} must read about 0 B/op.
 *
 * <pre>
 * ./mvnw -B -o -q -pl bench -am package -DskipTests
 * $JAVA_HOME/bin/java -jar bench/target/benchmarks.jar TimerWheelBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1 -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TimerWheelBenchmark {
    private static final long MS = 1_000_000L;
    /** Deadlines are 1 to 1000 ticks ahead; a power-of-two table of them, drawn in turn. */
    private static final int DELAYS = 1 << 16;

    @Param({"1000", "100000"})
    public int timers;

    private TimerWheel wheel;
    private Timer[] armed;
    private Timer spare;
    private final long[] delaysNs = new long[DELAYS];
    private int nextDelay;
    private int nextTimer;
    private long nowNs;
    private TimerWheel.Handler rearm;

    /** Timers fired, for the expiry benchmark's secondary score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Expiries {
        public long expiries;
    }

    @Setup
    public void fill() {
        Random random = new Random(6298);
        for (int i = 0; i < DELAYS; i++) {
            delaysNs[i] = (1 + random.nextInt(1000)) * MS;
        }
        nowNs = 1_000 * MS;
        wheel = new TimerWheel(TimerWheel.DEFAULT_TICK_NS, nowNs);
        armed = new Timer[timers];
        for (int i = 0; i < timers; i++) {
            armed[i] = new Timer(null, i);
            wheel.schedule(armed[i], nowNs + nextDelayNs());
        }
        spare = new Timer(null, -1);
        rearm = (timer, now) -> wheel.schedule(timer, now + nextDelayNs());
    }

    private long nextDelayNs() {
        long delay = delaysNs[nextDelay];
        nextDelay = (nextDelay + 1) & (DELAYS - 1);
        return delay;
    }

    @Benchmark
    public boolean scheduleCancel() {
        wheel.schedule(spare, nowNs + nextDelayNs());
        return wheel.cancel(spare);
    }

    @Benchmark
    public long reschedule() {
        int i = nextTimer;
        nextTimer = i + 1 == timers ? 0 : i + 1;
        Timer timer = armed[i];
        wheel.schedule(timer, nowNs + nextDelayNs());
        return timer.deadlineNs();
    }

    @Benchmark
    public int expiry(Expiries counter) {
        nowNs += MS;
        int fired = wheel.poll(nowNs, rearm);
        counter.expiries += fired;
        return fired;
    }
}
