package io.mtcp4j.stack.tcp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A byte ring over a {@link MemorySegment} whose indices are 64-bit stream offsets: the count of
 * bytes ever written before a position, which never wraps in practice (2<sup>63</sup> bytes), and
 * maps to a ring position with {@code offset & (capacity - 1)}.
 *
 * <p>Two indices: {@link #head()}, the oldest byte still held, and {@link #tail()}, the end of the
 * committed bytes; {@code tail - head <= capacity}. The same class serves both directions:
 * <ul>
 *   <li><b>Send ring.</b> The application {@link #append}s at the tail (RFC 9293's "write" end);
 *       the engine {@link #copyOut}s ranges to build segments and {@link #release}s up to SND.UNA
 *       when an ACK arrives, so head is the stream offset of SND.UNA. SND.NXT is not here: only
 *       the engine uses it (it moves back on a retransmission timeout), so the control block
 *       keeps it as a stream offset in [head, tail], and the ring holds just the two indices that
 *       the two threads share.</li>
 *   <li><b>Receive ring.</b> The engine places out-of-order payload past the tail with
 *       {@link #writeAt} (its {@link ReassemblyQueue} remembers which ranges are there), and
 *       {@link #commit}s when bytes become in order, so tail is the stream offset of RCV.NXT. The
 *       application {@link #read}s from the head. The free space is what the receive window can
 *       offer.</li>
 * </ul>
 * The control block maps between sequence numbers and stream offsets with one fixed origin per
 * direction, for example {@code offset = streamOrigin + (seq - (iss + 1))} as an unsigned 32-bit
 * distance ({@link SeqNum#distance}) from the sequence number at the ring's head.
 *
 * <h2>Threads (today: one; with the engine: two)</h2>
 * This class is single-threaded. In the engine each ring becomes single-producer /
 * single-consumer (DESIGN.md, "Cross-thread data plane"), and the memory ordering goes on the
 * two indices only, marked {@code SPSC:} in the code:
 * <ul>
 *   <li>the producer copies bytes, then stores {@code tail} with release semantics
 *       ({@code VarHandle.setRelease}); the consumer loads {@code tail} with acquire before
 *       copying those bytes out;</li>
 *   <li>the consumer copies bytes out, then stores {@code head} with release; the producer loads
 *       {@code head} with acquire before overwriting the space it freed;</li>
 *   <li>each side caches the other side's index and reloads it only when the cached value says
 *       "full" or "empty" (gVisor's {@code pkg/xdp} cached ring indices), so the common case
 *       touches no shared cache line.</li>
 * </ul>
 * Out-of-order bytes written by {@link #writeAt} lie past {@code tail} and are invisible to the
 * consumer until the release store of {@code tail} in {@link #commit} publishes them.
 *
 * <p>Nothing allocates after construction: {@code ByteBuffer} copies go through one absolute-put
 * view of the storage created in the constructor. Misuse (ranges outside the held bytes, writes
 * past the capacity) throws, since it is a caller bug, never peer input.
 */
public final class ByteRing {
    /** Stream offsets and lengths are int-sized inside the ring; 1 GiB is far beyond any window. */
    public static final int MAX_CAPACITY_BYTES = 1 << 30;

    private final MemorySegment storage;
    /** The storage as a ByteBuffer for absolute bulk puts to and from caller ByteBuffers. */
    private final ByteBuffer storageView;
    private final int capacity;
    private final int mask;

    /** SPSC: written by the consumer only (release), read by the producer (acquire). */
    private long head;
    /** SPSC: written by the producer only (release), read by the consumer (acquire). */
    private long tail;

    /**
     * A ring over {@code storage}, whose size must be a power of two from 1 to
     * {@link #MAX_CAPACITY_BYTES}. The ring starts empty at stream offset 0.
     */
    public ByteRing(MemorySegment storage) {
        long size = storage.byteSize();
        if (size < 1 || size > MAX_CAPACITY_BYTES || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two in [1, 2^30]: " + size);
        }
        this.storage = storage;
        this.storageView = storage.asByteBuffer();
        this.capacity = (int) size;
        this.mask = capacity - 1;
    }

    /** A ring over fresh native memory of {@code capacityBytes} (a power of two), freed by the GC. */
    public static ByteRing allocate(int capacityBytes) {
        if (capacityBytes < 1 || capacityBytes > MAX_CAPACITY_BYTES || Integer.bitCount(capacityBytes) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two in [1, 2^30]: " + capacityBytes);
        }
        return new ByteRing(Arena.ofAuto().allocate(capacityBytes, Long.BYTES));
    }

    public int capacity() {
        return capacity;
    }

    /** Stream offset of the oldest byte held: SND.UNA's offset on a send ring, the read position on a receive ring. */
    public long head() {
        return head;
    }

    /** Stream offset just past the committed bytes: the write end on a send ring, RCV.NXT's offset on a receive ring. */
    public long tail() {
        return tail;
    }

    /** Committed bytes held: {@code tail - head}. */
    public int size() {
        return (int) (tail - head);
    }

    public boolean isEmpty() {
        return tail == head;
    }

    /** Bytes that can be appended now: {@code capacity - size}. On a receive ring, the window to offer. */
    public int freeBytes() {
        return capacity - size();
    }

    /** First stream offset that cannot be written without overwriting held bytes: {@code head + capacity}. */
    public long writeLimit() {
        return head + capacity;
    }

    /**
     * Empties the ring and restarts its stream offsets at {@code streamOffset} (0 for a new
     * connection), for a reused control block.
     */
    public void reset(long streamOffset) {
        if (streamOffset < 0) {
            throw new IllegalArgumentException("negative stream offset: " + streamOffset);
        }
        head = streamOffset;
        tail = streamOffset;
    }

    // ---------------------------------------------------------------- producer side

    /**
     * Appends up to {@code length} bytes from {@code src} at the tail and commits them.
     *
     * @return the bytes appended: {@code min(length, freeBytes())}
     */
    public int append(MemorySegment src, long srcOffset, int length) {
        checkLength(length);
        Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
        int count = Math.min(length, freeBytes());
        copyIn(src, srcOffset, tail, count);
        tail += count; // SPSC: release store
        return count;
    }

    /** As {@link #append(MemorySegment, long, int)}, from a byte array. */
    public int append(byte[] src, int srcOffset, int length) {
        checkLength(length);
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        int count = Math.min(length, freeBytes());
        int position = (int) (tail & mask);
        int first = Math.min(count, capacity - position);
        MemorySegment.copy(src, srcOffset, storage, ValueLayout.JAVA_BYTE, position, first);
        MemorySegment.copy(src, srcOffset + first, storage, ValueLayout.JAVA_BYTE, 0, count - first);
        tail += count; // SPSC: release store
        return count;
    }

    /**
     * Appends as much of {@code src}'s remaining bytes as fit and advances its position by that
     * many, like {@code WritableByteChannel.write}.
     *
     * @return the bytes appended
     */
    public int append(ByteBuffer src) {
        int count = Math.min(src.remaining(), freeBytes());
        int position = (int) (tail & mask);
        int first = Math.min(count, capacity - position);
        int srcPosition = src.position();
        storageView.put(position, src, srcPosition, first);
        storageView.put(0, src, srcPosition + first, count - first);
        src.position(srcPosition + count);
        tail += count; // SPSC: release store
        return count;
    }

    /**
     * Places {@code length} bytes at {@code streamOffset} at or past the tail without committing
     * them: out-of-order data on a receive ring. {@link #commit} publishes them once the bytes
     * between the tail and them have arrived.
     *
     * @throws IndexOutOfBoundsException unless {@code tail <= streamOffset} and
     *         {@code streamOffset + length <= writeLimit()}
     */
    public void writeAt(long streamOffset, MemorySegment src, long srcOffset, int length) {
        checkLength(length);
        Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
        if (streamOffset < tail || streamOffset > writeLimit() - length) {
            throw new IndexOutOfBoundsException("writeAt [" + streamOffset + ", " + (streamOffset + length)
                    + ") outside [" + tail + ", " + writeLimit() + ")");
        }
        copyIn(src, srcOffset, streamOffset, length);
    }

    /**
     * Makes the {@code length} bytes after the tail readable (they were placed with
     * {@link #writeAt}).
     *
     * @throws IndexOutOfBoundsException if that would pass {@link #writeLimit()}
     */
    public void commit(int length) {
        checkLength(length);
        if (length > freeBytes()) {
            throw new IndexOutOfBoundsException("commit " + length + " bytes with " + freeBytes() + " free");
        }
        tail += length; // SPSC: release store; publishes the bytes writeAt placed
    }

    // ---------------------------------------------------------------- consumer side

    /**
     * Copies the held bytes [streamOffset, streamOffset + length) to {@code dst} without releasing
     * them: a segment's payload on a send ring (first send or retransmission).
     *
     * @throws IndexOutOfBoundsException unless the range lies within [head, tail]
     */
    public void copyOut(long streamOffset, MemorySegment dst, long dstOffset, int length) {
        checkHeld(streamOffset, length);
        Objects.checkFromIndexSize(dstOffset, length, dst.byteSize());
        copyOutUnchecked(streamOffset, dst, dstOffset, length);
    }

    /** The held byte at {@code streamOffset} (for a one-byte probe, tests and debugging). */
    public byte byteAt(long streamOffset) {
        checkHeld(streamOffset, 1);
        return storage.get(ValueLayout.JAVA_BYTE, streamOffset & mask);
    }

    /**
     * Copies up to {@code maxLength} bytes from the head to {@code dst} and releases them.
     *
     * @return the bytes read: {@code min(maxLength, size())}
     */
    public int read(MemorySegment dst, long dstOffset, int maxLength) {
        checkLength(maxLength);
        Objects.checkFromIndexSize(dstOffset, maxLength, dst.byteSize());
        int count = Math.min(maxLength, size()); // SPSC: acquire load of tail
        copyOutUnchecked(head, dst, dstOffset, count);
        head += count; // SPSC: release store
        return count;
    }

    /** As {@link #read(MemorySegment, long, int)}, into a byte array. */
    public int read(byte[] dst, int dstOffset, int maxLength) {
        checkLength(maxLength);
        Objects.checkFromIndexSize(dstOffset, maxLength, dst.length);
        int count = Math.min(maxLength, size()); // SPSC: acquire load of tail
        int position = (int) (head & mask);
        int first = Math.min(count, capacity - position);
        MemorySegment.copy(storage, ValueLayout.JAVA_BYTE, position, dst, dstOffset, first);
        MemorySegment.copy(storage, ValueLayout.JAVA_BYTE, 0, dst, dstOffset + first, count - first);
        head += count; // SPSC: release store
        return count;
    }

    /**
     * Reads as many bytes as {@code dst} has room for and advances its position, like
     * {@code ReadableByteChannel.read} (but returning 0, not -1, when empty: end of stream is the
     * control block's to report).
     *
     * @return the bytes read
     */
    public int read(ByteBuffer dst) {
        int count = Math.min(dst.remaining(), size()); // SPSC: acquire load of tail
        int position = (int) (head & mask);
        int first = Math.min(count, capacity - position);
        int dstPosition = dst.position();
        dst.put(dstPosition, storageView, position, first);
        dst.put(dstPosition + first, storageView, 0, count - first);
        dst.position(dstPosition + count);
        head += count; // SPSC: release store
        return count;
    }

    /**
     * Frees the bytes before {@code upToStreamOffset}: on a send ring, what an ACK newly
     * acknowledged. An offset at or before the head frees nothing.
     *
     * @return the bytes released
     * @throws IndexOutOfBoundsException if {@code upToStreamOffset} is past the tail
     */
    public int release(long upToStreamOffset) {
        if (upToStreamOffset > tail) {
            throw new IndexOutOfBoundsException("release to " + upToStreamOffset + " past tail " + tail);
        }
        if (upToStreamOffset <= head) {
            return 0;
        }
        int count = (int) (upToStreamOffset - head);
        head = upToStreamOffset; // SPSC: release store
        return count;
    }

    // ---------------------------------------------------------------- internals

    private void copyIn(MemorySegment src, long srcOffset, long streamOffset, int length) {
        int position = (int) (streamOffset & mask);
        int first = Math.min(length, capacity - position);
        MemorySegment.copy(src, srcOffset, storage, position, first);
        MemorySegment.copy(src, srcOffset + first, storage, 0, length - first);
    }

    private void copyOutUnchecked(long streamOffset, MemorySegment dst, long dstOffset, int length) {
        int position = (int) (streamOffset & mask);
        int first = Math.min(length, capacity - position);
        MemorySegment.copy(storage, position, dst, dstOffset, first);
        MemorySegment.copy(storage, 0, dst, dstOffset + first, length - first);
    }

    private void checkHeld(long streamOffset, int length) {
        checkLength(length);
        if (streamOffset < head || streamOffset > tail - length) {
            throw new IndexOutOfBoundsException("range [" + streamOffset + ", " + (streamOffset + length)
                    + ") outside held [" + head + ", " + tail + ")");
        }
    }

    private static void checkLength(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
    }

    @Override
    public String toString() {
        return "ByteRing[head=" + head + ", tail=" + tail + ", capacity=" + capacity + "]";
    }
}
