package io.mtcp4j.bench;

import io.mtcp4j.stack.wire.Checksum;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of {@link Checksum#sum} over one frame-sized buffer in heap ({@code MemorySegment.ofArray})
 * or native ({@code Arena}) memory.
 *
 * <h2>Reading the results</h2>
 * The primary score is buffers checksummed per microsecond (ops/us). The secondary score
 * {@code :kilobytes} counts kilobytes (1000 bytes) checksummed, and JMH prints it per microsecond
 * as well, so <b>{@code :kilobytes} in "ops/us" is GB/s</b> (10^3 bytes per 10^-6 s = 10^9 bytes/s).
 * Equivalently, GB/s = ops/us * size / 1000.
 *
 * <h2>Parameters</h2>
 * <ul>
 *   <li>{@code size}: 64 bytes (a minimum frame, the per-call overhead) and 1500 (a full MTU).</li>
 *   <li>{@code memory}: the kind of segment measured.</li>
 *   <li>{@code profile}: {@code clean} measures a JVM that has only ever seen that kind of segment;
 *       {@code mixed} first reads both heap and native segments, through {@code Checksum.sum}
 *       and directly, as a real process does (records and tests on the heap, frames in native
 *       memory). The JDK's segment access code shares one type profile across the whole JVM, and
 *       a mixed profile is what defeats naive FFM loops; {@code Checksum} is written to survive
 *       it, and this parameter keeps that honest.</li>
 * </ul>
 * {@code naiveSum} is the word-at-a-time big-endian loop RFC 1071 describes, the baseline.
 *
 * <p>Wall-clock scores fall with whatever else runs on the machine; {@link ChecksumCpuTime}
 * measures the same thing per nanosecond of CPU time as a cross-check.
 *
 * <pre>
 * ./mvnw -B -o -q -pl bench -am package -DskipTests
 * $JAVA_HOME/bin/java -jar bench/target/benchmarks.jar ChecksumBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChecksumBenchmark {
    @Param({"64", "1500"})
    public int size;

    @Param({"heap", "native"})
    public String memory;

    @Param({"clean", "mixed"})
    public String profile;

    private Arena arena;
    private MemorySegment buffer;

    /** Bytes checksummed, in kilobytes so that the per-microsecond rate JMH prints reads as GB/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Throughput {
        public double kilobytes;
    }

    @Setup
    public void allocate() {
        arena = Arena.ofShared();
        buffer = ChecksumWorkload.buffer(memory, size, arena);
        switch (profile) {
            case "clean" -> { }
            case "mixed" -> {
                if (ChecksumWorkload.touchBothKindsOfSegment(arena, true) == 42) {
                    System.out.println("unlikely");
                }
            }
            default -> throw new IllegalArgumentException("profile must be clean or mixed: " + profile);
        }
    }

    @TearDown
    public void free() {
        arena.close();
    }

    @Benchmark
    public long sum(Throughput throughput) {
        throughput.kilobytes += size / 1000.0;
        return Checksum.sum(buffer, 0, size);
    }

    @Benchmark
    public long naiveSum(Throughput throughput) {
        throughput.kilobytes += size / 1000.0;
        return ChecksumWorkload.naiveSum(buffer, size);
    }
}
