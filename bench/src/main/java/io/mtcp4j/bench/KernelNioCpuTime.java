package io.mtcp4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link KernelNioBenchmark}'s workloads (a) and (b) timed per nanosecond of CPU time, the
 * counterpart of {@link TwoEnginesCpuTime}: the CPU time of the client (this thread) and of the
 * server thread together, user and system, per transaction, so the kernel's loopback TCP work
 * done in those threads' system calls is counted (what the kernel defers to its softirq threads
 * is not). Comparing this with {@link TwoEnginesCpuTime} compares what one transaction costs in
 * CPU, both ends included, on either stack, less disturbed by the machine's other load than wall
 * time; it is a cross-check, not a replacement for JMH.
 *
 * <pre>
 * $JAVA_HOME/bin/java -cp bench/target/benchmarks.jar io.mtcp4j.bench.KernelNioCpuTime a|b [seconds]
 * </pre>
 *
 * Runs 20 s of warm-up, then batches of 2,000 transactions for {@code seconds} (default 20), and
 * prints the best and the median CPU and wall time per transaction.
 */
public final class KernelNioCpuTime {
    private static final int BATCH = 2_000;

    private KernelNioCpuTime() {}

    public static void main(String[] args) throws Exception {
        String workload = args.length > 0 ? args[0] : "b";
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 20;
        KernelNioBenchmark benchmark = new KernelNioBenchmark();
        KernelNioBenchmark.Server server;
        Transaction transaction;
        switch (workload) {
            case "a" -> {
                KernelNioBenchmark.EchoServer echo = new KernelNioBenchmark.EchoServer();
                echo.startServer();
                server = echo;
                transaction = () -> benchmark.requestResponse(echo);
            }
            case "b" -> {
                KernelNioBenchmark.TransactionServer transactions = new KernelNioBenchmark.TransactionServer();
                transactions.startServer();
                server = transactions;
                transaction = () -> benchmark.connectRequestResponseClose(transactions);
            }
            default -> throw new IllegalArgumentException("usage: KernelNioCpuTime a|b [seconds]");
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long serverThreadId = server.thread.threadId();
        long sink = 0;
        long warmUpEnd = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < warmUpEnd) {
            for (int i = 0; i < BATCH; i++) {
                sink += transaction.run();
            }
        }
        double[] cpuNs = new double[10_000];
        double[] wallNs = new double[cpuNs.length];
        int batches = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end && batches < cpuNs.length) {
            long cpuStart = threads.getCurrentThreadCpuTime() + threads.getThreadCpuTime(serverThreadId);
            long wallStart = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                sink += transaction.run();
            }
            long wall = System.nanoTime() - wallStart;
            long cpu = threads.getCurrentThreadCpuTime() + threads.getThreadCpuTime(serverThreadId) - cpuStart;
            cpuNs[batches] = cpu / (double) BATCH;
            wallNs[batches] = wall / (double) BATCH;
            batches++;
        }
        double[] cpu = Arrays.copyOf(cpuNs, batches);
        double[] wall = Arrays.copyOf(wallNs, batches);
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf("kernel (%s): CPU ns per transaction (client and server threads) best %.0f median %.0f;"
                        + " wall best %.0f median %.0f (%.0f and %.0f transactions/s) (%d)%n",
                workload, cpu[0], cpu[batches / 2], wall[0], wall[batches / 2], 1e9 / wall[0], 1e9 / wall[batches / 2], sink);
        server.stopServer();
    }

    private interface Transaction {
        int run() throws Exception;
    }
}
