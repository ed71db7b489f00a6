package io.mtcp4j.stack.device;

import java.lang.foreign.MemorySegment;

/**
 * The delay line of one direction of one impaired queue: a FIFO of frame copies, each with the
 * time it may leave, stored back to back in one circular region (so small frames and 64 KiB
 * super-frames share the same bytes) with their metadata in parallel arrays.
 *
 * <p>A record is <em>pending</em> until it leaves. On the receive side a record that left is shown
 * to the engine in place, so it becomes <em>delivered</em> and its bytes are freed only at the
 * next receive ({@link #freeDelivered()}); on the transmit side it is copied out and freed at once
 * ({@link #deliverAndFree()}).
 *
 * <p>Space: a record is written at the write position if it fits before the end of the region,
 * else at the start if it fits before the oldest record; the gap left at the end is skipped. A
 * record never makes the write position catch up with the oldest record, so "write position
 * equals oldest record" only ever means empty. Not thread-safe: one queue's thread.
 */
final class HeldFrames {
    private final MemorySegment storage;
    private final long storageBytes;
    private final int limitFrames;
    private final long limitBytes;
    private final int slots;

    private final long[] dataOffsets;
    private final int[] lengths;
    private final int[] flags;
    private final int[] checksumStarts;
    private final int[] checksumOffsets;
    private final int[] segmentSizes;
    private final int[] headerLengths;
    private final long[] releaseTimesNs;

    /** Index of the oldest record occupying storage (delivered or pending). */
    private int oldest;
    /** Records occupying storage. */
    private int occupied;
    /** Of those, the delivered ones at the front. */
    private int delivered;
    private long pendingBytes;
    private long writePosition;

    /**
     * @param storage     the region frames are copied into
     * @param limitFrames most pending records
     * @param limitBytes  most pending frame bytes
     */
    HeldFrames(MemorySegment storage, int limitFrames, long limitBytes) {
        this.storage = storage;
        this.storageBytes = storage.byteSize();
        this.limitFrames = limitFrames;
        this.limitBytes = limitBytes;
        // Room for the pending limit plus one receive batch of delivered records.
        this.slots = limitFrames + FrameBatch.MAX_FRAMES;
        dataOffsets = new long[slots];
        lengths = new int[slots];
        flags = new int[slots];
        checksumStarts = new int[slots];
        checksumOffsets = new int[slots];
        segmentSizes = new int[slots];
        headerLengths = new int[slots];
        releaseTimesNs = new long[slots];
    }

    int pendingCount() {
        return occupied - delivered;
    }

    boolean hasPending() {
        return occupied > delivered;
    }

    /** When the next pending record may leave, or {@link NetDevice#NO_DEADLINE}. */
    long nextReleaseNs() {
        return hasPending() ? releaseTimesNs[next()] : NetDevice.NO_DEADLINE;
    }

    /** Whether a frame of {@code length} bytes is within the pending limits. */
    boolean withinLimits(int length) {
        return pendingCount() < limitFrames && pendingBytes + length <= limitBytes;
    }

    /**
     * Appends a copy of a frame that may leave at {@code releaseNs} (not before the records ahead
     * of it: the line keeps order). Returns false, storing nothing, when a limit or the space
     * does not allow it.
     */
    boolean push(MemorySegment source, long sourceOffset, int length, int frameFlags, int checksumStart,
                 int checksumOffset, int segmentSize, int headerLength, long releaseNs) {
        if (!withinLimits(length) || occupied == slots) {
            return false;
        }
        long at = allocate(length);
        if (at < 0) {
            return false;
        }
        int slot = (oldest + occupied) % slots;
        MemorySegment.copy(source, sourceOffset, storage, at, length);
        dataOffsets[slot] = at;
        lengths[slot] = length;
        flags[slot] = frameFlags;
        checksumStarts[slot] = checksumStart;
        checksumOffsets[slot] = checksumOffset;
        segmentSizes[slot] = segmentSize;
        headerLengths[slot] = headerLength;
        releaseTimesNs[slot] = releaseNs;
        occupied++;
        pendingBytes += length;
        writePosition = at + length;
        return true;
    }

    private long allocate(int length) {
        if (occupied == 0) {
            writePosition = 0;
            return length <= storageBytes ? 0 : -1;
        }
        long read = dataOffsets[oldest];
        if (writePosition >= read) {
            if (writePosition + length <= storageBytes) {
                return writePosition;
            }
            return length < read ? 0 : -1;
        }
        return writePosition + length < read ? writePosition : -1;
    }

    /** Index of the next pending record; only while {@link #hasPending()}. */
    int next() {
        return (oldest + delivered) % slots;
    }

    MemorySegment storage() {
        return storage;
    }

    long dataOffset(int slot) {
        return dataOffsets[slot];
    }

    int length(int slot) {
        return lengths[slot];
    }

    int flags(int slot) {
        return flags[slot];
    }

    int checksumStart(int slot) {
        return checksumStarts[slot];
    }

    int checksumOffset(int slot) {
        return checksumOffsets[slot];
    }

    int segmentSize(int slot) {
        return segmentSizes[slot];
    }

    int headerLength(int slot) {
        return headerLengths[slot];
    }

    /** The next pending record left and is shown in place; its bytes stay until {@link #freeDelivered()}. */
    void deliver() {
        pendingBytes -= lengths[next()];
        delivered++;
    }

    /** The next pending record left as a copy; its bytes are free at once. */
    void deliverAndFree() {
        deliver();
        freeDelivered();
    }

    /** Frees the records delivered so far. */
    void freeDelivered() {
        oldest = (oldest + delivered) % slots;
        occupied -= delivered;
        delivered = 0;
    }
}
