package io.mtcp4j.stack.device;

import java.lang.foreign.MemorySegment;

/**
 * Fixed-size frame buffers of one device queue, lent into {@link FrameBatch}es and taken back by
 * id: the transmit side of a copying device (and the hold storage of a middleware device).
 *
 * <p>The buffers are slices of one segment, each made once up front and kept, so lending stores
 * a reference and allocates nothing. Free buffers sit on a stack, so the most recently returned
 * (cache-warm) buffer is lent first. A buffer's id is its index; a pool knows which ids are out
 * and rejects any other, which catches an engine handing a device a buffer it did not lend.
 *
 * <p>Not thread-safe: the thread that owns the queue is its only user.
 */
public final class BufferPool {
    /** Buffers start on cache-line boundaries. */
    public static final int ALIGNMENT_BYTES = 64;

    private final int bufferBytes;
    private final MemorySegment[] buffers;
    private final int[] freeIds;
    private final boolean[] lent;
    private int freeCount;

    /**
     * A pool of {@code count} buffers of {@code bufferBytes} each, carved from {@code memory},
     * which must hold {@code count * stride(bufferBytes)} bytes.
     */
    public BufferPool(MemorySegment memory, int count, int bufferBytes) {
        if (count < 1 || bufferBytes < 1) {
            throw new IllegalArgumentException("count and bufferBytes must be positive: " + count + ", " + bufferBytes);
        }
        long stride = stride(bufferBytes);
        if (memory.byteSize() < count * stride) {
            throw new IllegalArgumentException(count + " buffers of " + bufferBytes + " bytes need "
                    + count * stride + " bytes; the segment has " + memory.byteSize());
        }
        this.bufferBytes = bufferBytes;
        buffers = new MemorySegment[count];
        freeIds = new int[count];
        lent = new boolean[count];
        for (int id = 0; id < count; id++) {
            buffers[id] = memory.asSlice(id * stride, bufferBytes);
            freeIds[id] = count - 1 - id; // lend in ascending order at first
        }
        freeCount = count;
    }

    /** Bytes a buffer of {@code bufferBytes} takes in the backing segment, alignment included. */
    public static long stride(int bufferBytes) {
        return (bufferBytes + ALIGNMENT_BYTES - 1L) / ALIGNMENT_BYTES * ALIGNMENT_BYTES;
    }

    public int bufferBytes() {
        return bufferBytes;
    }

    public int capacity() {
        return buffers.length;
    }

    /** Buffers not lent out. */
    public int available() {
        return freeCount;
    }

    /** Buffer {@code id}'s memory. */
    public MemorySegment buffer(int id) {
        return buffers[id];
    }

    /**
     * Appends up to {@code frames} buffers to {@code batch} (length 0, the whole buffer as room),
     * as many as the batch and the pool allow, and returns how many.
     */
    public int lend(FrameBatch batch, int frames) {
        int n = Math.min(Math.min(frames, batch.remaining()), freeCount);
        for (int k = 0; k < n; k++) {
            int id = freeIds[--freeCount];
            lent[id] = true;
            batch.add(buffers[id], 0, 0, bufferBytes, id);
        }
        return n;
    }

    /** Takes one buffer back out of nowhere (for a device's own use); -1 when none is free. */
    public int take() {
        if (freeCount == 0) {
            return -1;
        }
        int id = freeIds[--freeCount];
        lent[id] = true;
        return id;
    }

    /** Whether {@code id} names a buffer of this pool that is lent out now. */
    public boolean isLent(long id) {
        return id >= 0 && id < buffers.length && lent[(int) id];
    }

    /**
     * Returns a lent buffer to the pool.
     *
     * @throws IllegalArgumentException if {@code id} is not a buffer this pool has lent out
     */
    public void giveBack(long id) {
        if (!isLent(id)) {
            throw new IllegalArgumentException("buffer " + id + " was not lent by this pool (" + buffers.length
                    + " buffers): a batch passed to transmit must hold only buffers this device queue lent");
        }
        lent[(int) id] = false;
        freeIds[freeCount++] = (int) id;
    }
}
