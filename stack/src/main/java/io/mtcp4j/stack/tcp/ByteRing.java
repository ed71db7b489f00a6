package io.mtcp4j.stack.tcp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <h2>Threads: one producer, one consumer</h2>
 * A ring is safe for one producer thread and one consumer thread at a time (DESIGN.md,
 * "Cross-thread data plane"); the two may be the same thread. Each method belongs to one side:
 * <table>
 *   <caption>Which side calls what</caption>
 *   <tr><th>side</th><th>methods</th><th>send ring</th><th>receive ring</th></tr>
 *   <tr><td>producer</td><td>{@link #append}, {@link #writeAt}, {@link #commit}</td>
 *       <td>application</td><td>engine</td></tr>
 *   <tr><td>consumer</td><td>{@link #read}, {@link #copyOut}, {@link #byteAt}, {@link #release}</td>
 *       <td>engine</td><td>application</td></tr>
 *   <tr><td>either, or any thread</td><td>{@link #head()}, {@link #tail()}, {@link #size()},
 *       {@link #isEmpty()}, {@link #freeBytes()}, {@link #writeLimit()}, {@link #capacity()}</td>
 *       <td colspan="2">a value that held at some moment during the call</td></tr>
 *   <tr><td>neither running</td><td>{@link #reset}</td>
 *       <td colspan="2">between two connections (a pooled ring)</td></tr>
 * </table>
 * The memory ordering lives on the two indices alone, marked {@code SPSC:} in the code:
 * <ul>
 *   <li>the producer copies bytes in, then stores {@code tail} with release semantics
 *       ({@code VarHandle.setRelease}); the consumer loads {@code tail} with acquire before it
 *       copies those bytes out, so it never sees a byte before the write that placed it;</li>
 *   <li>the consumer copies bytes out, then stores {@code head} with release; the producer loads
 *       {@code head} with acquire before it overwrites the space that freed, so it never
 *       overwrites a byte still being read;</li>
 *   <li>each side reads its own index plainly (only it writes that index) and caches the other
 *       side's, reloading it only when the cached value says "not enough room" or "not enough
 *       bytes" (gVisor's {@code pkg/xdp} cached ring indices): the other side's index only ever
 *       grows, so a stale cached value errs on the safe side, and the common case touches no
 *       cache line the other thread writes.</li>
 * </ul>
 * Out-of-order bytes written by {@link #writeAt} lie past {@code tail} and are invisible to the
 * consumer until the release store of {@code tail} in {@link #commit} publishes them. The
 * producer's indices and the consumer's live in one {@code long[]}, with 128 bytes between them
 * and before and after them, so the two threads' stores never share a cache line (or an adjacent-line prefetch pair).
 *
 * <p>A ring handed from one connection to the next ({@link RingPool}) is not cleared: {@link #reset}
 * moves both indices, and the bytes a new owner can read are only those it committed itself.
 *
 * <p>Nothing allocates after construction: {@code ByteBuffer} copies go through one absolute-put
 * view of the storage created in the constructor (absolute bulk gets and puts leave its position
 * alone, so both threads may use it). Misuse (ranges outside the held bytes, writes past the
 * capacity) throws, since it is a caller bug, never peer input.
 */
public final class ByteRing {
    /** Stream offsets and lengths are int-sized inside the ring; 1 GiB is far beyond any window. */
    public static final int MAX_CAPACITY_BYTES = 1 << 30;

    private static final VarHandle INDEX = MethodHandles.arrayElementVarHandle(long[].class);
    /** Producer's cells: its tail (written with release) and its cached copy of head. */
    private static final int TAIL = 16;
    private static final int CACHED_HEAD = TAIL + 1;
    /** Consumer's cells, 16 cells (128 bytes) past the producer's: its head (written with release) and cached tail. */
    private static final int HEAD = CACHED_HEAD + 17;
    private static final int CACHED_TAIL = HEAD + 1;
    private static final int INDEX_CELLS = CACHED_TAIL + 17;

    private final MemorySegment storage;
    /** The storage as a ByteBuffer for absolute bulk puts to and from caller ByteBuffers. */
    private final ByteBuffer storageView;
    private final int capacity;
    private final int mask;
    /** SPSC: head, tail and each side's cached copy of the other's, padded apart (see the class comment). */
    private final long[] indices = new long[INDEX_CELLS];

    /** The {@link RingPool} that made this ring, or null; touched by that pool's thread only. */
    RingPool pool;
    /** Whether the ring is in (or was dropped by) its pool: a second return is a caller bug. */
    boolean returned;
    /**
     * What a {@link TcpConnection} keeps about this ring's bytes, made once and brought along to
     * the ring's next owner by its pool, so that opening a connection allocates neither: the SACK
     * scoreboard of a send ring and the reassembly queue of a receive ring (a pooled ring may serve
     * either way over its life). Each new owner resets them. The engine thread's alone.
     */
    SackScoreboard scoreboard;
    ReassemblyQueue reassembly;

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
        checkCapacity(capacityBytes);
        return new ByteRing(Arena.ofAuto().allocate(capacityBytes, Long.BYTES));
    }

    static void checkCapacity(int capacityBytes) {
        if (capacityBytes < 1 || capacityBytes > MAX_CAPACITY_BYTES || Integer.bitCount(capacityBytes) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two in [1, 2^30]: " + capacityBytes);
        }
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Stream offset of the oldest byte held: SND.UNA's offset on a send ring, the read position on
     * a receive ring. Any thread.
     */
    public long head() {
        return (long) INDEX.getAcquire(indices, HEAD); // SPSC: acquire load
    }

    /**
     * Stream offset just past the committed bytes: the write end on a send ring, RCV.NXT's offset
     * on a receive ring. Any thread.
     */
    public long tail() {
        return (long) INDEX.getAcquire(indices, TAIL); // SPSC: acquire load
    }

    /**
     * Committed bytes held: {@code tail - head}. Exact on the consumer's thread (which alone
     * shrinks it); the producer may add more at any moment. Any thread.
     */
    public int size() {
        // Head first: tail read afterwards is at least that head, so the difference is never negative.
        long head = head();
        long tail = tail();
        return (int) Math.min(tail - head, capacity);
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Bytes that can be appended now: {@code capacity - size}. On a receive ring, the window to
     * offer. Exact on the producer's thread (which alone shrinks it). Any thread.
     */
    public int freeBytes() {
        return capacity - size();
    }

    /**
     * First stream offset that cannot be written without overwriting held bytes:
     * {@code head + capacity}. Any thread.
     */
    public long writeLimit() {
        return head() + capacity;
    }

    /**
     * Empties the ring and restarts its stream offsets at {@code streamOffset} (0 for a new
     * connection), for a ring handed to a new owner. Neither side may be using the ring; the
     * hand-over to the new owners' threads must itself publish the ring (a queue, a thread start).
     */
    public void reset(long streamOffset) {
        if (streamOffset < 0) {
            throw new IllegalArgumentException("negative stream offset: " + streamOffset);
        }
        indices[CACHED_HEAD] = streamOffset;
        indices[CACHED_TAIL] = streamOffset;
        INDEX.setRelease(indices, HEAD, streamOffset);
        INDEX.setRelease(indices, TAIL, streamOffset);
    }

    // ---------------------------------------------------------------- producer side

    /**
     * Appends up to {@code length} bytes from {@code src} at the tail and commits them. Producer.
     *
     * @return the bytes appended: {@code min(length, freeBytes())}
     */
    public int append(MemorySegment src, long srcOffset, int length) {
        checkLength(length);
        Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
        long tail = indices[TAIL];
        int count = Math.min(length, producerFreeBytes(tail, length));
        copyIn(src, srcOffset, tail, count);
        INDEX.setRelease(indices, TAIL, tail + count); // SPSC: release store publishes the bytes
        return count;
    }

    /** As {@link #append(MemorySegment, long, int)}, from a byte array. Producer. */
    public int append(byte[] src, int srcOffset, int length) {
        checkLength(length);
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        long tail = indices[TAIL];
        int count = Math.min(length, producerFreeBytes(tail, length));
        int position = (int) (tail & mask);
        int first = Math.min(count, capacity - position);
        MemorySegment.copy(src, srcOffset, storage, ValueLayout.JAVA_BYTE, position, first);
        MemorySegment.copy(src, srcOffset + first, storage, ValueLayout.JAVA_BYTE, 0, count - first);
        INDEX.setRelease(indices, TAIL, tail + count); // SPSC: release store publishes the bytes
        return count;
    }

    /**
     * Appends as much of {@code src}'s remaining bytes as fit and advances its position by that
     * many, like {@code WritableByteChannel.write}. Producer.
     *
     * @return the bytes appended
     */
    public int append(ByteBuffer src) {
        long tail = indices[TAIL];
        int count = Math.min(src.remaining(), producerFreeBytes(tail, src.remaining()));
        int position = (int) (tail & mask);
        int first = Math.min(count, capacity - position);
        int srcPosition = src.position();
        storageView.put(position, src, srcPosition, first);
        storageView.put(0, src, srcPosition + first, count - first);
        src.position(srcPosition + count);
        INDEX.setRelease(indices, TAIL, tail + count); // SPSC: release store publishes the bytes
        return count;
    }

    /**
     * Places {@code length} bytes at {@code streamOffset} at or past the tail without committing
     * them: out-of-order data on a receive ring. {@link #commit} publishes them once the bytes
     * between the tail and them have arrived. Producer.
     *
     * @throws IndexOutOfBoundsException unless {@code tail <= streamOffset} and
     *         {@code streamOffset + length <= writeLimit()}
     */
    public void writeAt(long streamOffset, MemorySegment src, long srcOffset, int length) {
        checkLength(length);
        Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
        long tail = indices[TAIL];
        if (streamOffset < tail || streamOffset - tail > producerFreeBytes(tail, streamOffset - tail + length) - length) {
            throw new IndexOutOfBoundsException("writeAt [" + streamOffset + ", " + (streamOffset + length)
                    + ") outside [" + tail + ", " + writeLimit() + ")");
        }
        copyIn(src, srcOffset, streamOffset, length);
    }

    /**
     * Makes the {@code length} bytes after the tail readable (they were placed with
     * {@link #writeAt}). Producer.
     *
     * @throws IndexOutOfBoundsException if that would pass {@link #writeLimit()}
     */
    public void commit(int length) {
        checkLength(length);
        long tail = indices[TAIL];
        int free = producerFreeBytes(tail, length);
        if (length > free) {
            throw new IndexOutOfBoundsException("commit " + length + " bytes with " + free + " free");
        }
        INDEX.setRelease(indices, TAIL, tail + length); // SPSC: release store; publishes the bytes writeAt placed
    }

    /**
     * The producer's free space from its own {@code tail}: from the cached head when that leaves
     * room for {@code wanted} bytes, else from a fresh acquire load of head (which may still say
     * less).
     */
    private int producerFreeBytes(long tail, long wanted) {
        long head = indices[CACHED_HEAD];
        if (tail - head + wanted > capacity) {
            head = (long) INDEX.getAcquire(indices, HEAD); // SPSC: acquire load before overwriting freed space
            indices[CACHED_HEAD] = head;
        }
        return (int) (capacity - (tail - head));
    }

    // ---------------------------------------------------------------- consumer side

    /**
     * Copies the held bytes [streamOffset, streamOffset + length) to {@code dst} without releasing
     * them: a segment's payload on a send ring (first send or retransmission). Consumer.
     *
     * @throws IndexOutOfBoundsException unless the range lies within [head, tail]
     */
    public void copyOut(long streamOffset, MemorySegment dst, long dstOffset, int length) {
        checkHeld(streamOffset, length);
        Objects.checkFromIndexSize(dstOffset, length, dst.byteSize());
        copyOutUnchecked(streamOffset, dst, dstOffset, length);
    }

    /** The held byte at {@code streamOffset} (for a one-byte probe, tests and debugging). Consumer. */
    public byte byteAt(long streamOffset) {
        checkHeld(streamOffset, 1);
        return storage.get(ValueLayout.JAVA_BYTE, streamOffset & mask);
    }

    /**
     * Copies up to {@code maxLength} bytes from the head to {@code dst} and releases them. Consumer.
     *
     * @return the bytes read: {@code min(maxLength, size())}
     */
    public int read(MemorySegment dst, long dstOffset, int maxLength) {
        checkLength(maxLength);
        Objects.checkFromIndexSize(dstOffset, maxLength, dst.byteSize());
        long head = indices[HEAD];
        int count = (int) Math.min(maxLength, consumerTail(head + maxLength) - head);
        copyOutUnchecked(head, dst, dstOffset, count);
        INDEX.setRelease(indices, HEAD, head + count); // SPSC: release store, after the bytes were copied out
        return count;
    }

    /** As {@link #read(MemorySegment, long, int)}, into a byte array. Consumer. */
    public int read(byte[] dst, int dstOffset, int maxLength) {
        checkLength(maxLength);
        Objects.checkFromIndexSize(dstOffset, maxLength, dst.length);
        long head = indices[HEAD];
        int count = (int) Math.min(maxLength, consumerTail(head + maxLength) - head);
        int position = (int) (head & mask);
        int first = Math.min(count, capacity - position);
        MemorySegment.copy(storage, ValueLayout.JAVA_BYTE, position, dst, dstOffset, first);
        MemorySegment.copy(storage, ValueLayout.JAVA_BYTE, 0, dst, dstOffset + first, count - first);
        INDEX.setRelease(indices, HEAD, head + count); // SPSC: release store, after the bytes were copied out
        return count;
    }

    /**
     * Reads as many bytes as {@code dst} has room for and advances its position, like
     * {@code ReadableByteChannel.read} (but returning 0, not -1, when empty: end of stream is the
     * control block's to report). Consumer.
     *
     * @return the bytes read
     */
    public int read(ByteBuffer dst) {
        long head = indices[HEAD];
        int count = (int) Math.min(dst.remaining(), consumerTail(head + dst.remaining()) - head);
        int position = (int) (head & mask);
        int first = Math.min(count, capacity - position);
        int dstPosition = dst.position();
        dst.put(dstPosition, storageView, position, first);
        dst.put(dstPosition + first, storageView, 0, count - first);
        dst.position(dstPosition + count);
        INDEX.setRelease(indices, HEAD, head + count); // SPSC: release store, after the bytes were copied out
        return count;
    }

    /**
     * Frees the bytes before {@code upToStreamOffset}: on a send ring, what an ACK newly
     * acknowledged. An offset at or before the head frees nothing. Consumer.
     *
     * @return the bytes released
     * @throws IndexOutOfBoundsException if {@code upToStreamOffset} is past the tail
     */
    public int release(long upToStreamOffset) {
        long tail = consumerTail(upToStreamOffset);
        if (upToStreamOffset > tail) {
            throw new IndexOutOfBoundsException("release to " + upToStreamOffset + " past tail " + tail);
        }
        long head = indices[HEAD];
        if (upToStreamOffset <= head) {
            return 0;
        }
        INDEX.setRelease(indices, HEAD, upToStreamOffset); // SPSC: release store
        return (int) (upToStreamOffset - head);
    }

    /**
     * The consumer's view of the tail: the cached value when it reaches {@code wanted}, else a
     * fresh acquire load (which may still be short of it).
     */
    private long consumerTail(long wanted) {
        long tail = indices[CACHED_TAIL];
        if (tail < wanted) {
            tail = (long) INDEX.getAcquire(indices, TAIL); // SPSC: acquire load before reading the bytes
            indices[CACHED_TAIL] = tail;
        }
        return tail;
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

    /** Consumer: [streamOffset, streamOffset + length) lies within [head, tail]. */
    private void checkHeld(long streamOffset, int length) {
        checkLength(length);
        long head = indices[HEAD];
        if (streamOffset < head || streamOffset + length > consumerTail(streamOffset + length)) {
            throw new IndexOutOfBoundsException("range [" + streamOffset + ", " + (streamOffset + length)
                    + ") outside held [" + head + ", " + tail() + ")");
        }
    }

    private static void checkLength(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
    }

    @Override
    public String toString() {
        return "ByteRing[head=" + head() + ", tail=" + tail() + ", capacity=" + capacity + "]";
    }
}
