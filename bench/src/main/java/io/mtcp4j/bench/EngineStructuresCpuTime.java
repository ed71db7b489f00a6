package io.mtcp4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * {@link FlowTableBenchmark}'s and {@link TimerWheelBenchmark}'s operations timed per nanosecond
 * of this thread's CPU time instead of wall time, as {@link ChecksumCpuTime} does for the
 * checksum: on a shared machine JMH's wall-clock scores grow with the load, while the CPU time the
 * thread actually ran stays closer to the truth (cache interference from neighbours remains). A
 * cross-check, not a replacement for JMH. One configuration per JVM, as a JMH fork would have:
 *
 * <pre>
 * for op in lookupHit lookupMiss; do for family in ipv4 ipv6; do for flows in 10000 100000; do
 *   $JAVA_HOME/bin/java -cp bench/target/benchmarks.jar io.mtcp4j.bench.EngineStructuresCpuTime $op $family $flows
 * done; done; done
 * for op in scheduleCancel reschedule expiry; do for timers in 1000 100000; do
 *   $JAVA_HOME/bin/java -cp bench/target/benchmarks.jar io.mtcp4j.bench.EngineStructuresCpuTime $op $timers
 * done; done
 * </pre>
 *
 * Prints the best and the median of 100 batches in ns per operation (for {@code expiry}, also
 * per timer fired).
 */
public final class EngineStructuresCpuTime {
    private EngineStructuresCpuTime() {}

    public static void main(String[] args) {
        String op = args.length > 0 ? args[0] : "";
        LongSupplier operation;
        TimerWheelBenchmark.Expiries counter = new TimerWheelBenchmark.Expiries();
        String label;
        switch (op) {
            case "lookupHit", "lookupMiss" -> {
                if (args.length != 3) {
                    throw new IllegalArgumentException("usage: EngineStructuresCpuTime lookupHit|lookupMiss ipv4|ipv6 flows");
                }
                FlowTableBenchmark flows = new FlowTableBenchmark();
                flows.family = args[1];
                flows.flows = Integer.parseInt(args[2]);
                flows.fill();
                operation = op.equals("lookupHit") ? () -> flows.lookupHit() == null ? 0 : 1
                                                   : () -> flows.lookupMiss() == null ? 0 : 1;
                label = op + " " + args[1] + " " + args[2] + " flows";
            }
            case "scheduleCancel", "reschedule", "expiry" -> {
                if (args.length != 2) {
                    throw new IllegalArgumentException("usage: EngineStructuresCpuTime scheduleCancel|reschedule|expiry timers");
                }
                TimerWheelBenchmark wheel = new TimerWheelBenchmark();
                wheel.timers = Integer.parseInt(args[1]);
                wheel.fill();
                operation = switch (op) {
                    case "scheduleCancel" -> () -> wheel.scheduleCancel() ? 1 : 0;
                    case "reschedule" -> wheel::reschedule;
                    default -> () -> wheel.expiry(counter);
                };
                label = op + " " + args[1] + " timers";
            }
            default -> throw new IllegalArgumentException(
                    "usage: EngineStructuresCpuTime lookupHit|lookupMiss|scheduleCancel|reschedule|expiry ...");
        }
        boolean perExpiry = op.equals("expiry");
        int perBatch = perExpiry ? 2_000 : 200_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 50; i++) {
            sink += run(operation, perBatch);
        }
        double[] nanosPerOp = new double[100];
        double[] nanosPerExpiry = new double[100];
        for (int batch = 0; batch < nanosPerOp.length; batch++) {
            long firedBefore = counter.expiries;
            long startNs = threads.getCurrentThreadCpuTime();
            sink += run(operation, perBatch);
            long spentNs = threads.getCurrentThreadCpuTime() - startNs;
            nanosPerOp[batch] = spentNs / (double) perBatch;
            nanosPerExpiry[batch] = spentNs / (double) Math.max(1, counter.expiries - firedBefore);
        }
        Arrays.sort(nanosPerOp);
        Arrays.sort(nanosPerExpiry);
        System.out.printf("%-36s best %9.1f ns/op, median %9.1f ns/op%s%s%n", label,
                nanosPerOp[0], nanosPerOp[nanosPerOp.length / 2],
                perExpiry ? String.format("; per expiry best %6.1f ns, median %6.1f ns",
                        nanosPerExpiry[0], nanosPerExpiry[nanosPerExpiry.length / 2]) : "",
                sink == 42 ? " " : "");
    }

    private static long run(LongSupplier operation, int count) {
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += operation.getAsLong();
        }
        return total;
    }
}
