package io.mtcp4j.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * {@link TwoEnginesBenchmark}'s workloads (a), request/response on a kept connection, and (b), a
 * new connection per transaction, timed per nanosecond of the benchmark thread's CPU time as well
 * as wall time, as {@link ChecksumCpuTime} and {@link EngineStructuresCpuTime} do: on a shared
 * machine the wall-clock rate falls with the load, while the thread's CPU time per transaction
 * stays nearer the truth (cache interference from neighbours remains). It also reports what JMH
 * does not: the GC's pauses (outside the thread's CPU time) and the engine loops and segments per
 * transaction. A cross-check, not a replacement for JMH.
 *
 * <pre>
 * $JAVA_HOME/bin/java -cp bench/target/benchmarks.jar io.mtcp4j.bench.TwoEnginesCpuTime a|b [bufferBytes] [seconds] [warmUpSeconds]
 * </pre>
 *
 * Runs {@code warmUpSeconds} (default 20) of warm-up (in (b) the server's TIME_WAIT population,
 * one connection per client port, fills in that time), then batches of 10,000 transactions for
 * {@code seconds} (default 20), and prints per batch the CPU and wall time per transaction and
 * the share of the wall time the GC paused; then the best and the median.
 */
public final class TwoEnginesCpuTime {
    private static final int BATCH = 10_000;

    private TwoEnginesCpuTime() {}

    public static void main(String[] args) throws Exception {
        String workload = args.length > 0 ? args[0] : "b";
        int bufferBytes = args.length > 1 ? Integer.parseInt(args[1]) : 256 * 1024;
        long seconds = args.length > 2 ? Long.parseLong(args[2]) : 20;
        long warmUpSeconds = args.length > 3 ? Long.parseLong(args[3]) : 20;
        TwoEnginesBenchmark benchmark = new TwoEnginesBenchmark();
        TwoEnginesBenchmark.Engines state;
        IntSupplier transaction;
        switch (workload) {
            case "a" -> {
                TwoEnginesBenchmark.OpenConnection open = new TwoEnginesBenchmark.OpenConnection();
                open.start();
                state = open;
                transaction = () -> benchmark.requestResponse(open);
            }
            case "b" -> {
                TwoEnginesBenchmark.PerTransaction perTransaction = new TwoEnginesBenchmark.PerTransaction();
                perTransaction.bufferBytes = bufferBytes;
                perTransaction.start();
                state = perTransaction;
                transaction = () -> benchmark.connectRequestResponseClose(perTransaction);
            }
            default -> throw new IllegalArgumentException("usage: TwoEnginesCpuTime a|b [bufferBytes] [seconds] [warmUpSeconds]");
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        long warmUpEnd = System.nanoTime() + warmUpSeconds * 1_000_000_000L;
        while (System.nanoTime() < warmUpEnd) {
            for (int i = 0; i < BATCH; i++) {
                sink += transaction.getAsInt();
            }
        }
        long loopsBefore = state.client.counters().loops() + state.server.counters().loops();
        long segmentsBefore = state.client.counters().segmentsSent() + state.server.counters().segmentsSent();
        long transactions = 0;
        double[] cpuNs = new double[10_000];
        double[] wallNs = new double[cpuNs.length];
        long gcTotal = 0;
        long wallTotal = 0;
        int batches = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end && batches < cpuNs.length) {
            long gcBefore = gcPauseMillis();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long wallStart = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                sink += transaction.getAsInt();
            }
            long wall = System.nanoTime() - wallStart;
            long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
            long gc = gcPauseMillis() - gcBefore;
            gcTotal += gc;
            wallTotal += wall;
            cpuNs[batches] = cpu / (double) BATCH;
            wallNs[batches] = wall / (double) BATCH;
            System.out.printf("batch %3d: %7.0f ns CPU, %7.0f ns wall per transaction, GC paused %4.1f%% of it%n",
                    batches, cpuNs[batches], wallNs[batches], 100.0 * gc * 1_000_000 / wall);
            batches++;
            transactions += BATCH;
        }
        long loops = state.client.counters().loops() + state.server.counters().loops() - loopsBefore;
        long segments = state.client.counters().segmentsSent() + state.server.counters().segmentsSent() - segmentsBefore;
        double[] cpu = Arrays.copyOf(cpuNs, batches);
        double[] wall = Arrays.copyOf(wallNs, batches);
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf("(%s)%s: CPU ns per transaction best %.0f median %.0f (%.0f and %.0f transactions/s);"
                        + " wall best %.0f median %.0f; GC paused %.1f%% of the wall time;"
                        + " %.1f engine loops and %.1f segments per transaction; server flows %d (%d)%n",
                workload, workload.equals("b") ? " bufferBytes=" + bufferBytes : "", cpu[0], cpu[batches / 2],
                1e9 / cpu[0], 1e9 / cpu[batches / 2], wall[0], wall[batches / 2], 100.0 * gcTotal * 1_000_000 / wallTotal,
                loops / (double) transactions, segments / (double) transactions, state.server.flowCount(), sink);
        state.stop();
    }

    /** Stop-the-world collection time so far (G1's concurrent cycles do not pause the thread). */
    private static long gcPauseMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!gc.getName().contains("Concurrent")) {
                total += Math.max(0, gc.getCollectionTime());
            }
        }
        return total;
    }
}
