package io.mtcp4j.bench;

import io.mtcp4j.stack.engine.FlowTable;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of demultiplexing one received segment: a {@link FlowTable} lookup by 4-tuple, hitting a
 * flow or missing (a segment for no connection, the SYN or RST path).
 *
 * <h2>Parameters</h2>
 * <ul>
 *   <li>{@code flows}: 10,000 or 100,000 established flows in the table (sized for them, load
 *       factor 0.5, so 32,768 and 262,144 slots; the larger one's keys alone are 10 MB, beyond
 *       the caches, so most lookups miss L2).</li>
 *   <li>{@code family}: IPv4 tuples (SipHash over 12 bytes) or IPv6 (36 bytes).</li>
 * </ul>
 * Keys are random (one local address and port, random remote address and port, as on a server)
 * and looked up in a shuffled order, so consecutive lookups touch unrelated slots.
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} must read about 0 B/op.
 *
 * <pre>
 * ./mvnw -B -o -q -pl bench -am package -DskipTests
 * $JAVA_HOME/bin/java -jar bench/target/benchmarks.jar FlowTableBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1 -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FlowTableBenchmark {
    @Param({"10000", "100000"})
    public int flows;

    @Param({"ipv4", "ipv6"})
    public String family;

    private FlowTable<Object> table;
    private boolean ipv6;
    /** The remote halves of the keys looked up, one entry per lookup: present flows (hit) and absent ones (miss). */
    private long[] hitRemoteHigh;
    private long[] hitRemoteLow;
    private int[] hitRemotePort;
    private long[] missRemoteHigh;
    private long[] missRemoteLow;
    private int[] missRemotePort;
    private long localHigh;
    private long localLow;
    private int next;

    @Setup
    public void fill() {
        ipv6 = switch (family) {
            case "ipv4" -> false;
            case "ipv6" -> true;
            default -> throw new IllegalArgumentException("family must be ipv4 or ipv6: " + family);
        };
        Random random = new Random(6528);
        table = new FlowTable<>(flows);
        localHigh = ipv6 ? 0x2001_0db8_0000_0000L : 0;
        localLow = ipv6 ? 1 : 0xc000_0201L;
        hitRemoteHigh = new long[flows];
        hitRemoteLow = new long[flows];
        hitRemotePort = new int[flows];
        missRemoteHigh = new long[flows];
        missRemoteLow = new long[flows];
        missRemotePort = new int[flows];
        Object flow = new Object();
        for (int i = 0; i < flows; i++) {
            do {
                randomRemote(random, hitRemoteHigh, hitRemoteLow, hitRemotePort, i);
            } while (table.get(ipv6, localHigh, localLow, 443, hitRemoteHigh[i], hitRemoteLow[i], hitRemotePort[i]) != null);
            table.put(ipv6, localHigh, localLow, 443, hitRemoteHigh[i], hitRemoteLow[i], hitRemotePort[i], flow);
        }
        for (int i = 0; i < flows; i++) {
            do {
                randomRemote(random, missRemoteHigh, missRemoteLow, missRemotePort, i);
            } while (table.get(ipv6, localHigh, localLow, 443, missRemoteHigh[i], missRemoteLow[i], missRemotePort[i]) != null);
        }
        shuffle(random, hitRemoteHigh, hitRemoteLow, hitRemotePort);
    }

    private void randomRemote(Random random, long[] high, long[] low, int[] port, int i) {
        high[i] = ipv6 ? random.nextLong() : 0;
        low[i] = ipv6 ? random.nextLong() : random.nextInt() & 0xffff_ffffL;
        port[i] = 1024 + random.nextInt(64_512);
    }

    private static void shuffle(Random random, long[] high, long[] low, int[] port) {
        for (int i = high.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long h = high[i]; high[i] = high[j]; high[j] = h;
            long l = low[i]; low[i] = low[j]; low[j] = l;
            int p = port[i]; port[i] = port[j]; port[j] = p;
        }
    }

    private int advance() {
        int i = next;
        next = i + 1 == flows ? 0 : i + 1;
        return i;
    }

    @Benchmark
    public Object lookupHit() {
        int i = advance();
        return table.get(ipv6, localHigh, localLow, 443, hitRemoteHigh[i], hitRemoteLow[i], hitRemotePort[i]);
    }

    @Benchmark
    public Object lookupMiss() {
        int i = advance();
        return table.get(ipv6, localHigh, localLow, 443, missRemoteHigh[i], missRemoteLow[i], missRemotePort[i]);
    }
}
