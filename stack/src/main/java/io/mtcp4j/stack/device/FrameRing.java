package io.mtcp4j.stack.device;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One receive queue of an in-process device: a bounded ring of preallocated frame slots that many
 * threads fill (every transmit queue that steers frames here) and one thread drains (the engine
 * owning the receive queue), with the wait handle that engine parks on.
 *
 * <h2>Protocol</h2>
 * Dmitry Vyukov's bounded queue with a sequence number per slot, specialised to one consumer.
 * Slot {@code s} starts with sequence {@code s}. A producer reads the tail {@code t}; if slot
 * {@code t % capacity} has sequence {@code t} it is free for lap {@code t / capacity}, and the
 * producer claims it by advancing the tail with a CAS, copies the frame in, and publishes it by
 * storing sequence {@code t + 1} with release semantics. A smaller sequence means the slot still
 * holds a frame from the previous lap: the ring is full and the frame is dropped (the caller
 * counts it). The consumer, at head {@code h}, takes the slot when its sequence reads (acquire)
 * {@code h + 1}.
 *
 * <p>Received frames are lent to the engine in place (zero copy), so the consumer frees their
 * slots (sequence {@code h + capacity}, release) only at its next receive: the frames stay valid
 * until then, as {@link NetDevice#receive} promises.
 *
 * <h2>Waking the consumer</h2>
 * An idle consumer announces itself (volatile store of its thread), then checks the ring again
 * (volatile load) before parking; a producer, after publishing, issues a full fence and reads the
 * announcement. One of the two must see the other's store, so a frame is never left waiting for
 * a parked consumer. Producers do this once per transmit call, not per frame.
 */
final class FrameRing {
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle TAIL = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SIGNALLED;

    static {
        try {
            SIGNALLED = MethodHandles.lookup().findVarHandle(WaitPoint.class, "signalled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The producers' tail lives alone in the middle of this array, 120 bytes from either end,
     * so producers' CAS traffic does not share a cache line with anything the consumer touches.
     */
    private static final int TAIL_INDEX = 15;

    private final int capacity;
    private final int mask;
    private final int slotBytes;
    private final MemorySegment[] slots;
    private final long[] sequences;
    private final long[] tailCell = new long[2 * TAIL_INDEX + 1];
    // Metadata per slot, written by the producer before its release store, read after the acquire.
    private final int[] lengths;
    private final int[] flags;
    private final int[] checksumStarts;
    private final int[] checksumOffsets;
    private final int[] segmentSizes;
    private final int[] headerLengths;

    // Consumer state: touched only by the consumer thread.
    private long head;
    /** Frames received but not yet freed: lent to the engine until its next receive. */
    private int held;

    private final WaitPoint waitPoint = new WaitPoint();

    /**
     * A ring of {@code capacity} slots (a power of two) of {@code slotBytes} bytes each, in
     * {@code memory} ({@code capacity * BufferPool.stride(slotBytes)} bytes).
     */
    FrameRing(MemorySegment memory, int capacity, int slotBytes) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two, at least 2: " + capacity);
        }
        long stride = BufferPool.stride(slotBytes);
        if (memory.byteSize() < capacity * stride) {
            throw new IllegalArgumentException("ring memory too small: " + memory.byteSize() + " < " + capacity * stride);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.slotBytes = slotBytes;
        slots = new MemorySegment[capacity];
        sequences = new long[capacity];
        lengths = new int[capacity];
        flags = new int[capacity];
        checksumStarts = new int[capacity];
        checksumOffsets = new int[capacity];
        segmentSizes = new int[capacity];
        headerLengths = new int[capacity];
        for (int s = 0; s < capacity; s++) {
            slots[s] = memory.asSlice(s * stride, slotBytes);
            sequences[s] = s;
        }
    }

    int capacity() {
        return capacity;
    }

    int slotBytes() {
        return slotBytes;
    }

    WaitHandle waitHandle() {
        return waitPoint;
    }

    // ---- producers: any thread -------------------------------------------------------------------

    /**
     * Copies a frame and its metadata into a free slot and publishes it. Returns false, copying
     * nothing, when the ring is full. The caller has checked {@code length <= slotBytes()}.
     */
    boolean offer(MemorySegment source, long sourceOffset, int length,
                  int frameFlags, int checksumStart, int checksumOffset, int segmentSize, int headerLength) {
        long position = (long) TAIL.getVolatile(tailCell, TAIL_INDEX);
        int slot;
        while (true) {
            slot = (int) position & mask;
            long sequence = (long) SEQUENCE.getAcquire(sequences, slot);
            long lap = sequence - position;
            if (lap == 0) {
                if (TAIL.compareAndSet(tailCell, TAIL_INDEX, position, position + 1)) {
                    break;
                }
                position = (long) TAIL.getVolatile(tailCell, TAIL_INDEX);
            } else if (lap < 0) {
                return false; // the slot still holds a frame of the previous lap: full
            } else {
                position = (long) TAIL.getVolatile(tailCell, TAIL_INDEX); // another producer got here first
            }
        }
        MemorySegment.copy(source, sourceOffset, slots[slot], 0, length);
        lengths[slot] = length;
        flags[slot] = frameFlags;
        checksumStarts[slot] = checksumStart;
        checksumOffsets[slot] = checksumOffset;
        segmentSizes[slot] = segmentSize;
        headerLengths[slot] = headerLength;
        SEQUENCE.setRelease(sequences, slot, position + 1);
        return true;
    }

    /** Unparks the consumer if it is parked; producers call this once after a burst of offers. */
    void wakeConsumer() {
        VarHandle.fullFence();
        waitPoint.wake();
    }

    // ---- the consumer: the receive queue's engine thread --------------------------------------------

    /**
     * Frees the frames of the previous receive, then appends up to {@code batch.remaining()}
     * waiting frames to {@code batch} as views of their slots. Returns how many.
     */
    int receive(FrameBatch batch) {
        releaseHeld();
        int n = 0;
        int room = batch.remaining();
        while (n < room) {
            int slot = (int) head & mask;
            if ((long) SEQUENCE.getAcquire(sequences, slot) != head + 1) {
                break;
            }
            int i = batch.add(slots[slot], 0, lengths[slot], slotBytes, slot);
            batch.metadata(i, flags[slot], checksumStarts[slot], checksumOffsets[slot],
                    segmentSizes[slot], headerLengths[slot]);
            head++;
            n++;
        }
        held = n;
        return n;
    }

    /** Frees the slots lent by the last receive. */
    void releaseHeld() {
        for (long position = head - held; position < head; position++) {
            SEQUENCE.setRelease(sequences, (int) position & mask, position + capacity);
        }
        held = 0;
    }

    /** Whether a frame is waiting at the head (a volatile read, for the parking handshake). */
    boolean hasFrames() {
        return (long) SEQUENCE.getVolatile(sequences, (int) head & mask) == head + 1;
    }

    /** Frames published and not yet received; approximate while producers are active. Any thread. */
    long backlogEstimate() {
        return Math.max(0, (long) TAIL.getVolatile(tailCell, TAIL_INDEX) - head);
    }

    /** Parks the consumer until a producer wakes it, {@link #signal} is called or time runs out. */
    final class WaitPoint implements WaitHandle {
        private volatile Thread waiter;
        @SuppressWarnings("unused") // through SIGNALLED
        private volatile boolean signalled;

        @Override
        public void await(long timeoutNs) {
            if (timeoutNs <= 0) {
                return;
            }
            long deadlineNs = System.nanoTime() + timeoutNs;
            waiter = Thread.currentThread();
            try {
                // Park until a signal, a frame or the deadline. A park can return early for no
                // reason (a permit left by an earlier unpark of this thread, a spurious wakeup),
                // so the conditions are checked again after every return.
                while (!(boolean) SIGNALLED.getAndSet(this, false) && !hasFrames()) {
                    long remainingNs = deadlineNs - System.nanoTime();
                    if (remainingNs <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, remainingNs);
                }
            } finally {
                waiter = null;
            }
        }

        @Override
        public void signal() {
            signalled = true;
            wake();
        }

        void wake() {
            Thread thread = waiter;
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public String toString() {
            return "FrameRing.WaitPoint[" + (waiter == null ? "idle" : "parked " + waiter.getName()) + "]";
        }
    }
}
