package io.mtcp4j.bench;

import io.mtcp4j.stack.wire.Checksum;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link ChecksumBenchmark}'s measurement per nanosecond of this thread's CPU time instead of wall
 * time, for shared machines: when other processes take the core, JMH's wall-clock scores fall
 * with the load, while the CPU time a thread actually ran stays honest. Not a replacement for JMH
 * (no forking discipline, no blackhole); a cross-check. One configuration per JVM, so that each
 * sees only its own type profile (as a JMH fork would):
 *
 * <pre>
 * for size in 20 64 1500; do for memory in heap native; do for profile in clean mixed; do
 *   $JAVA_HOME/bin/java -cp bench/target/benchmarks.jar io.mtcp4j.bench.ChecksumCpuTime $memory $profile $size
 * done; done; done
 * </pre>
 *
 * Prints the best and the median of 200 batches, in ns per sum and GB/s.
 */
public final class ChecksumCpuTime {
    private static MemorySegment buffer;
    private static int size;

    private ChecksumCpuTime() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ChecksumCpuTime heap|native clean|mixed sizeBytes");
        }
        String memory = args[0];
        String profile = args[1];
        size = Integer.parseInt(args[2]);
        Arena arena = Arena.ofShared();
        buffer = ChecksumWorkload.buffer(memory, size, arena);
        long sink = 0;
        if (profile.equals("mixed")) {
            sink += ChecksumWorkload.touchBothKindsOfSegment(arena, false);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int sumsPerBatch = Math.max(1000, 6_400_000 / Math.max(size, 1));
        for (int i = 0; i < 300; i++) {
            sink += run(sumsPerBatch);
        }
        double[] nanosPerSum = new double[200];
        for (int batch = 0; batch < nanosPerSum.length; batch++) {
            long startNs = threads.getCurrentThreadCpuTime();
            sink += run(sumsPerBatch);
            nanosPerSum[batch] = (threads.getCurrentThreadCpuTime() - startNs) / (double) sumsPerBatch;
        }
        Arrays.sort(nanosPerSum);
        double best = nanosPerSum[0];
        double median = nanosPerSum[nanosPerSum.length / 2];
        System.out.printf("%-6s %-5s %5d bytes: best %7.2f ns (%6.2f GB/s), median %7.2f ns (%6.2f GB/s)%s%n",
                memory, profile, size, best, size / best, median, size / median, sink == 42 ? " " : "");
    }

    /** Sums {@code buffer} {@code count} times; a byte changes each time so no sum can be hoisted. */
    private static long run(int count) {
        MemorySegment segment = buffer;
        int length = size;
        long total = 0;
        for (int i = 0; i < count; i++) {
            segment.set(ValueLayout.JAVA_BYTE, 0, (byte) i);
            total += Checksum.sum(segment, 0, length);
        }
        return total;
    }
}
