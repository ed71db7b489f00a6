package io.mtcp4j.stack.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

/**
 * Measures how many bytes of heap a piece of code allocates on the calling thread, for the tests
 * that prove a per-packet path allocates nothing (STYLE.md 7). A JMH {@code -prof gc} run in the
 * bench module is the benchmark-grade proof; these measurements catch a regression in the
 * ordinary build.
 *
 * <h2>Technique</h2>
 * <ul>
 *   <li><b>The counter.</b> HotSpot counts, per thread, every byte that thread allocates on the
 *       heap, including the used part of its current allocation buffer, so that even one small
 *       object shows. {@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()}
 *       reads it; the difference across one run of the code is what that run allocated. Objects
 *       that escape analysis removes are never allocated and so are rightly not counted. Where the
 *       JVM has no such counter, every method here aborts the calling test as skipped (a JUnit
 *       assumption) rather than letting a counter stuck at -1 pass it.</li>
 *   <li><b>Warm-up.</b> The first runs of any code allocate for reasons that are not the code's:
 *       class loading and initialisation, linkage of lambdas and call sites, interpreter profiles.
 *       Every measurement therefore runs the work (or a given warm-up) first, unmeasured.</li>
 *   <li><b>Calibration for the measuring itself.</b> Reading the counter and calling the work
 *       through an interface could cost bytes of their own. Once per JVM, the bytes that measuring
 *       an empty piece of work reports (the least of several tries, after a warm-up) are taken as
 *       that overhead and subtracted from every measurement; on current HotSpot it is zero.</li>
 *   <li><b>One-offs.</b> The JVM itself may allocate a few dozen bytes once inside a measured
 *       run, for example when a deoptimisation rematerialises an object that escape analysis had
 *       removed. Tests either allow less than a byte per round (an allocation per round is at
 *       least one 16-byte object, so at least 16 bytes per round) or, to demand exactly zero, take
 *       the least of several measured runs with {@link #leastBytesAllocatedBy(int, Work)}: a
 *       one-off lands in one run, while allocation by the code shows in every run.</li>
 * </ul>
 *
 * <p>Measure on the thread that runs the code; allocations by other threads are not counted.
 * A test that checks the counter works at all measures a known allocation, for example
 * {@code bytesAllocatedBy(() -> escaped = new byte[64]) >= 64} with a {@code volatile} field
 * {@code escaped} so that the array cannot be optimised away.
 */
public final class Allocations {
    /** Measured runs of empty work whose least result is taken as the measuring overhead. */
    private static final int CALIBRATION_RUNS = 5;

    /** The bytes one measurement of empty work reports; -1 until calibrated. */
    private static long overheadBytes = -1;

    private Allocations() {
    }

    /**
     * Work to measure. It may throw, so that code which declares a checked exception (I/O, for
     * example) can be measured without wrapping; a lambda that throws nothing checked needs no
     * {@code throws} clause at the call site.
     *
     * @param <X> what the work may throw
     */
    @FunctionalInterface
    public interface Work<X extends Exception> {
        void run() throws X;
    }

    /**
     * Bytes that one run of {@code work} allocates, after two unmeasured runs of it as warm-up,
     * less the measuring overhead.
     */
    public static <X extends Exception> long bytesAllocatedBy(Work<X> work) throws X {
        return bytesAllocatedBy(() -> {
            work.run();
            work.run();
        }, work);
    }

    /**
     * Bytes that one run of {@code work} allocates, after one unmeasured run of {@code warmUp},
     * less the measuring overhead. For tests whose warm-up is a shorter run of the same loop.
     */
    public static <X extends Exception> long bytesAllocatedBy(Work<X> warmUp, Work<X> work) throws X {
        com.sun.management.ThreadMXBean threads = counter();
        warmUp.run();
        return Math.max(0, measure(threads, work) - overheadBytes);
    }

    /**
     * The least bytes allocated by one run of {@code work} over {@code runs} measured runs, after
     * {@code runs} unmeasured runs as warm-up, less the measuring overhead. A one-off allocation
     * by the JVM itself landing in one run is not blamed on the code; allocation by the code shows
     * in every run, so this can be asserted to be exactly zero.
     */
    public static <X extends Exception> long leastBytesAllocatedBy(int runs, Work<X> work) throws X {
        com.sun.management.ThreadMXBean threads = counter();
        for (int i = 0; i < runs; i++) {
            work.run();
        }
        long least = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            least = Math.min(least, measure(threads, work));
        }
        return Math.max(0, least - overheadBytes);
    }

    private static <X extends Exception> long measure(com.sun.management.ThreadMXBean threads, Work<X> work)
            throws X {
        long before = threads.getCurrentThreadAllocatedBytes();
        work.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /**
     * The JVM's per-thread allocation counter, switched on and calibrated; aborts the calling
     * test as skipped where there is none.
     */
    private static synchronized com.sun.management.ThreadMXBean counter() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs HotSpot's per-thread allocation counter");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no per-thread allocation counter on this JVM");
        if (!threads.isThreadAllocatedMemoryEnabled()) {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
        if (overheadBytes < 0) {
            Work<RuntimeException> nothing = () -> { };
            for (int i = 0; i < CALIBRATION_RUNS; i++) {
                measure(threads, nothing);
            }
            long least = Long.MAX_VALUE;
            for (int i = 0; i < CALIBRATION_RUNS; i++) {
                least = Math.min(least, measure(threads, nothing));
            }
            overheadBytes = least;
        }
        return threads;
    }
}
