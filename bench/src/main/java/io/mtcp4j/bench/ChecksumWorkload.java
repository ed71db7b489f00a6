package io.mtcp4j.bench;

import io.mtcp4j.stack.wire.Checksum;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * What {@link ChecksumBenchmark} and {@link ChecksumCpuTime} sum over, written once so that the
 * wall-clock benchmark and its CPU-time cross-check measure the same thing: the buffer, the
 * "mixed" type profile, and RFC 1071's naive loop as the baseline.
 */
final class ChecksumWorkload {
    private ChecksumWorkload() {}

    /**
     * A buffer of {@code sizeBytes} random bytes (the same bytes on every run) in heap
     * ({@code "heap"}, {@code MemorySegment.ofArray}) or native ({@code "native"}, from
     * {@code arena}, 64-byte aligned) memory.
     */
    static MemorySegment buffer(String memory, int sizeBytes, Arena arena) {
        MemorySegment buffer = switch (memory) {
            case "heap" -> MemorySegment.ofArray(new byte[sizeBytes]);
            case "native" -> arena.allocate(sizeBytes, 64);
            default -> throw new IllegalArgumentException("memory must be heap or native: " + memory);
        };
        byte[] random = new byte[sizeBytes];
        new Random(1071).nextBytes(random);
        MemorySegment.copy(MemorySegment.ofArray(random), 0, buffer, 0, sizeBytes);
        return buffer;
    }

    /**
     * The "mixed" profile: sums and reads over heap and native segments of many lengths and
     * offsets, until C2 has seen them all, as a real process does (records and tests on the heap,
     * frames in native memory). The JDK's segment access code shares one type profile across the
     * whole JVM, and a mixed profile is what defeats naive FFM loops.
     *
     * @param withNaiveSum also run {@link #naiveSum} over them, for a JVM that measures it too
     * @return a value to consume, so that no read can be optimised away
     */
    static long touchBothKindsOfSegment(Arena arena, boolean withNaiveSum) {
        MemorySegment heap = MemorySegment.ofArray(new byte[2048]);
        MemorySegment offHeap = arena.allocate(2048);
        long sink = 0;
        for (int i = 0; i < 200_000; i++) {
            MemorySegment segment = (i & 1) == 0 ? heap : offHeap;
            int length = (int) ((i * 7919L) % 1600);
            int offset = (i >>> 1) & 7;
            sink += Checksum.sum(segment, offset, length);
            sink += segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset) + NetworkOrder.u16(segment, offset);
            if (withNaiveSum) {
                sink += naiveSum(segment, length);
            }
        }
        return sink;
    }

    /** The word-at-a-time big-endian loop RFC 1071 describes, the baseline. */
    static long naiveSum(MemorySegment segment, int length) {
        long accumulator = 0;
        int i = 0;
        for (; i + 1 < length; i += 2) {
            accumulator += NetworkOrder.u16(segment, i);
        }
        if (i < length) {
            accumulator += NetworkOrder.u8(segment, i) << 8;
        }
        return accumulator;
    }
}
