package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A {@link ByteRing} with its producer and its consumer on two threads, as the engine and an
 * application use it: a known stream of {@value #STREAM_BYTES} bytes goes through a small ring
 * (many laps) in random chunk sizes, and the consumer checks every byte it reads against the
 * stream. The byte at each stream offset is a hash of the offset, so a byte read before the
 * producer's copy reached it (a tail published too early), a byte overwritten before the consumer
 * copied it out (a head published too early), or a torn index shows as a mismatch at a named
 * offset. Nothing here is timed; the thread joins only keep a broken ring from hanging the build.
 */
class ByteRingConcurrencyTest {
    private static final long STREAM_BYTES = 256L << 20;
    private static final int RING_BYTES = 4096;
    /** Chunks up to one and a half rings, so that appends and reads are often cut short. */
    private static final int MAX_CHUNK_BYTES = RING_BYTES * 3 / 2;
    private static final int SEGMENT_BYTES = 1460;
    private static final long JOIN_LIMIT_MS = 600_000;

    /** The stream's byte at {@code offset}: bits of a SplitMix64 hash of its 8-byte word, so laps differ. */
    static byte streamByte(long offset) {
        long z = (offset >>> 3) * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (byte) (z >>> ((offset & 7) << 3));
    }

    private static void fill(byte[] buffer, int length, long streamOffset) {
        for (int i = 0; i < length; i++) {
            buffer[i] = streamByte(streamOffset + i);
        }
    }

    private static void check(byte actual, long streamOffset) {
        if (actual != streamByte(streamOffset)) {
            throw new AssertionError("byte at stream offset " + streamOffset + " is " + actual
                    + ", expected " + streamByte(streamOffset));
        }
    }

    /** The first failure of either thread; the other stops at its next wait instead of waiting for ever. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** Waits for the other thread without burning a core it may need: spin a little, then yield. */
    private void backOff(int attempt) {
        if (failure.get() != null) {
            throw new CancellationException("the other side failed");
        }
        if (attempt < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    private static ByteRing nativeRing(Arena arena) {
        return new ByteRing(arena.allocate(RING_BYTES, 64));
    }

    // ------------------------------------------------------------------------------- producers

    /** The application's side of a send ring: append() in random chunks, in all three forms. */
    private void appendStream(ByteRing ring, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[MAX_CHUNK_BYTES];
        MemorySegment heapSegment = MemorySegment.ofArray(chunk);
        ByteBuffer direct = ByteBuffer.allocateDirect(MAX_CHUNK_BYTES);
        MemorySegment nativeSegment = MemorySegment.ofBuffer(direct);
        long produced = 0;
        while (produced < STREAM_BYTES) {
            int length = (int) Math.min(1 + random.nextInt(MAX_CHUNK_BYTES), STREAM_BYTES - produced);
            fill(chunk, length, produced);
            int form = random.nextInt(4);
            if (form == 2 || form == 3) {
                direct.clear();
                direct.put(0, chunk, 0, length);
            }
            int done = 0;
            for (int attempt = 0; done < length; attempt++) {
                int appended = switch (form) {
                    case 0 -> ring.append(chunk, done, length - done);
                    case 1 -> ring.append(heapSegment, done, length - done);
                    case 2 -> ring.append(nativeSegment, done, length - done);
                    default -> ring.append(direct.limit(length).position(done));
                };
                done += appended;
                if (appended == 0) {
                    backOff(attempt);
                }
            }
            produced += length;
        }
    }

    /**
     * The engine's side of a receive ring: segments placed out of order with writeAt() past the
     * tail, committed as the bytes before them arrive (as the reassembly queue does).
     */
    private void writeAtStream(ByteRing ring, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] bytes = new byte[RING_BYTES];
        MemorySegment source = MemorySegment.ofArray(bytes);
        int[] starts = new int[4];
        int[] lengths = new int[4];
        boolean[] placed = new boolean[4];
        long produced = 0;
        for (int attempt = 0; produced < STREAM_BYTES; ) {
            int free = ring.freeBytes(); // exact on the producer's thread
            if (free == 0) {
                backOff(attempt++);
                continue;
            }
            attempt = 0;
            int window = (int) Math.min(1 + random.nextInt(free), STREAM_BYTES - produced);
            fill(bytes, window, produced);
            int pieces = Math.min(window, 1 + random.nextInt(4));
            // Cut the window into pieces at random points.
            int start = 0;
            for (int p = 0; p < pieces; p++) {
                int remainingPieces = pieces - p;
                int length = remainingPieces == 1 ? window - start
                        : 1 + random.nextInt(window - start - remainingPieces + 1);
                starts[p] = start;
                lengths[p] = length;
                placed[p] = false;
                start += length;
            }
            // Place them in a random order; commit the prefix that became contiguous after each.
            int committedPieces = 0;
            for (int placedCount = 0; placedCount < pieces; placedCount++) {
                int p;
                do {
                    p = random.nextInt(pieces);
                } while (placed[p]);
                placed[p] = true;
                ring.writeAt(produced + starts[p], source, starts[p], lengths[p]);
                int contiguous = 0;
                while (committedPieces < pieces && placed[committedPieces]) {
                    contiguous += lengths[committedPieces];
                    committedPieces++;
                }
                if (contiguous > 0) {
                    ring.commit(contiguous);
                }
            }
            produced += window;
        }
    }

    // ------------------------------------------------------------------------------- consumers

    /** The application's side of a receive ring: read() in random sizes, in all three forms, every byte checked. */
    private void readStream(ByteRing ring, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buffer = new byte[MAX_CHUNK_BYTES];
        MemorySegment heapSegment = MemorySegment.ofArray(buffer);
        ByteBuffer direct = ByteBuffer.allocateDirect(MAX_CHUNK_BYTES);
        MemorySegment nativeSegment = MemorySegment.ofBuffer(direct);
        long consumed = 0;
        for (int attempt = 0; consumed < STREAM_BYTES; ) {
            int wanted = 1 + random.nextInt(MAX_CHUNK_BYTES);
            int form = random.nextInt(4);
            int read = switch (form) {
                case 0 -> ring.read(buffer, 0, wanted);
                case 1 -> ring.read(heapSegment, 0, wanted);
                case 2 -> ring.read(nativeSegment, 0, wanted);
                default -> ring.read(direct.clear().limit(wanted));
            };
            if (read == 0) {
                backOff(attempt++);
                continue;
            }
            attempt = 0;
            for (int i = 0; i < read; i++) {
                byte actual = form < 2 ? buffer[i] : nativeSegment.get(ValueLayout.JAVA_BYTE, i);
                check(actual, consumed + i);
            }
            consumed += read;
        }
        assertEquals(0, ring.size(), "nothing past the stream");
    }

    /**
     * The engine's side of a send ring: segments copied out from SND.NXT, now and then a
     * retransmission from anywhere in [head, SND.NXT) or a go-back-N, single bytes read with
     * byteAt, and ACKs releasing up to random points at or before SND.NXT.
     */
    private void sendFromStream(ByteRing ring, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment frame = Arena.ofAuto().allocate(SEGMENT_BYTES);
        long head = 0;
        long next = 0; // SND.NXT as a stream offset
        for (int attempt = 0; head < STREAM_BYTES; ) {
            long tail = ring.tail();
            boolean progressed = false;
            if (next < tail) {
                int length = (int) Math.min(tail - next, 1 + random.nextInt(SEGMENT_BYTES));
                copyOutAndCheck(ring, frame, next, length);
                next += length;
                progressed = true;
            }
            if (next > head) {
                int choice = random.nextInt(16);
                if (choice == 0) {
                    long from = head + random.nextLong(next - head);
                    copyOutAndCheck(ring, frame, from, (int) Math.min(next - from, SEGMENT_BYTES));
                } else if (choice == 1) {
                    long at = head + random.nextLong(next - head);
                    check(ring.byteAt(at), at);
                } else if (choice == 2) {
                    next = head; // a retransmission timeout: go back to SND.UNA
                } else {
                    long acked = head + 1 + random.nextLong(next - head);
                    assertEquals(acked - head, ring.release(acked));
                    head = acked;
                    progressed = true;
                }
            }
            if (progressed) {
                attempt = 0;
            } else {
                backOff(attempt++);
            }
        }
        assertEquals(STREAM_BYTES, ring.head());
    }

    private static void copyOutAndCheck(ByteRing ring, MemorySegment frame, long streamOffset, int length) {
        ring.copyOut(streamOffset, frame, 0, length);
        for (int i = 0; i < length; i++) {
            check(frame.get(ValueLayout.JAVA_BYTE, i), streamOffset + i);
        }
    }

    // ----------------------------------------------------------------------------------- tests

    @Test
    void appendOnOneThreadReadOnAnother() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = nativeRing(arena);
            runPair(() -> appendStream(ring, 1), () -> readStream(ring, 2));
            assertEquals(STREAM_BYTES, ring.tail());
        }
    }

    @Test
    void outOfOrderWritesAndCommitsOnOneThreadReadOnAnother() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = nativeRing(arena);
            runPair(() -> writeAtStream(ring, 3), () -> readStream(ring, 4));
            assertEquals(STREAM_BYTES, ring.tail());
        }
    }

    @Test
    void appendOnOneThreadCopyOutAndReleaseOnAnother() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = nativeRing(arena);
            runPair(() -> appendStream(ring, 5), () -> sendFromStream(ring, 6));
        }
    }

    /** Runs the producer and the consumer on two threads and rethrows the first failure of either. */
    private void runPair(Runnable producer, Runnable consumer) throws InterruptedException {
        Thread producerThread = Thread.ofPlatform().name("ring-producer").unstarted(guarded(producer));
        Thread consumerThread = Thread.ofPlatform().name("ring-consumer").unstarted(guarded(consumer));
        producerThread.start();
        consumerThread.start();
        producerThread.join(JOIN_LIMIT_MS);
        consumerThread.join(JOIN_LIMIT_MS);
        if (failure.get() != null) {
            throw new AssertionError("a ring thread failed", failure.get());
        }
        assertFalse(producerThread.isAlive() || consumerThread.isAlive(), "the ring threads finished");
    }

    /** Records the first failure, which also stops the other side (see {@link #backOff}). */
    private Runnable guarded(Runnable body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                throw t;
            }
        };
    }
}
