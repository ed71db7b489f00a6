package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random operations on a ring against a model that remembers every byte ever written by stream
 * offset: whatever is read or copied out is what was written there, and the indices agree.
 */
class ByteRingPropertyTest {
    /** One operation: {@code kind} picks what, {@code amount} and {@code detail} parameterise it. */
    record Op(int kind, int amount, int detail) {}

    @Provide
    Arbitrary<List<Op>> operations() {
        return net.jqwik.api.Combinators.combine(
                        Arbitraries.integers().between(0, 6),
                        Arbitraries.integers().between(0, 70),
                        Arbitraries.integers().between(0, 1 << 20))
                .as(Op::new)
                .list().ofMinSize(1).ofMaxSize(120);
    }

    @Property(tries = 300)
    void ringBehavesLikeAStream(@ForAll("operations") List<Op> ops,
                                @ForAll @IntRange(min = 0, max = 6) int capacityLog2,
                                @ForAll @IntRange(min = 0, max = 100) int startOffset) {
        int capacity = 1 << capacityLog2;
        ByteRing ring = new ByteRing(MemorySegment.ofArray(new byte[capacity]));
        ring.reset(startOffset);
        byte[] history = new byte[startOffset + ops.size() * 71 + 1];
        long head = startOffset;
        long tail = startOffset;
        int next = 1; // source of fresh byte values

        for (Op op : ops) {
            int free = capacity - (int) (tail - head);
            switch (op.kind()) {
                case 0, 1, 2 -> { // append through each of the three source types
                    byte[] data = ByteRingTest.counting(next, op.amount());
                    next += op.amount();
                    int appended = switch (op.kind()) {
                        case 0 -> ring.append(data, 0, data.length);
                        case 1 -> ring.append(MemorySegment.ofArray(data), 0, data.length);
                        default -> {
                            ByteBuffer source = ByteBuffer.allocateDirect(data.length).put(data).flip();
                            int count = ring.append(source);
                            assertEquals(count, source.position());
                            yield count;
                        }
                    };
                    assertEquals(Math.min(free, op.amount()), appended);
                    System.arraycopy(data, 0, history, (int) tail, appended);
                    tail += appended;
                }
                case 3 -> { // read through one of three destination types
                    int expected = (int) Math.min(op.amount(), tail - head);
                    byte[] out = new byte[op.amount()];
                    int read = switch (op.detail() % 3) {
                        case 0 -> ring.read(out, 0, out.length);
                        case 1 -> ring.read(MemorySegment.ofArray(out), 0, out.length);
                        default -> ring.read(ByteBuffer.wrap(out));
                    };
                    assertEquals(expected, read);
                    assertArrayEquals(Arrays.copyOfRange(history, (int) head, (int) head + read),
                            Arrays.copyOf(out, read));
                    head += read;
                }
                case 4 -> { // copy out a held range without releasing
                    int held = (int) (tail - head);
                    int from = held == 0 ? 0 : op.detail() % (held + 1);
                    int length = Math.min(op.amount(), held - from);
                    byte[] out = new byte[length];
                    ring.copyOut(head + from, MemorySegment.ofArray(out), 0, length);
                    assertArrayEquals(Arrays.copyOfRange(history, (int) head + from, (int) head + from + length), out);
                }
                case 5 -> { // acknowledge: release up to somewhere in [head, tail]
                    int held = (int) (tail - head);
                    int upTo = held == 0 ? 0 : op.detail() % (held + 1);
                    assertEquals(upTo, ring.release(head + upTo));
                    head += upTo;
                }
                default -> { // receive path: place two pieces out of order, then commit both
                    int length = Math.min(op.amount(), free);
                    int split = length == 0 ? 0 : op.detail() % (length + 1);
                    byte[] data = ByteRingTest.counting(next, length);
                    next += length;
                    MemorySegment source = MemorySegment.ofArray(data);
                    ring.writeAt(tail + split, source, split, length - split);
                    ring.writeAt(tail, source, 0, split);
                    ring.commit(length);
                    System.arraycopy(data, 0, history, (int) tail, length);
                    tail += length;
                }
            }
            assertEquals(head, ring.head());
            assertEquals(tail, ring.tail());
            assertEquals(capacity - (tail - head), ring.freeBytes());
            assertTrue(ring.size() <= capacity);
        }
        // Everything still held reads back.
        for (long offset = head; offset < tail; offset++) {
            assertEquals(history[(int) offset], ring.byteAt(offset));
        }
    }
}
