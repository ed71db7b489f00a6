package io.mtcp4j.stack.tcp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One engine's pool of {@link ByteRing}s: rings handed out by capacity, taken back when a
 * connection is done with them, and handed out again without clearing or allocating. Opening a
 * connection then costs no native allocation and no zeroing in the steady state, and a connection
 * in TIME_WAIT (which has given its rings back) costs only its control block.
 *
 * <h2>Size classes and slabs</h2>
 * Ring capacities are powers of two, so each capacity is its own size class (2<sup>k</sup> bytes,
 * k = 0 to 30). Idle rings wait on one stack per class, most recently returned first (its memory
 * is the likeliest still in cache). A new ring is cut from a slab of its class: one native
 * allocation ({@link Arena#ofAuto()}, page aligned when a page or more) of {@link #RINGS_PER_SLAB} rings, but at most
 * {@code slabBytes}; a ring of {@code slabBytes} or more gets its own allocation. A slab is freed
 * by the GC once none of its rings is reachable, so a slab holds at most {@value #RINGS_PER_SLAB}
 * rings' memory for each ring still in use or idle.
 *
 * <h2>Idle limit</h2>
 * At most {@code maxIdleBytes} of rings wait idle; a ring returned beyond that is forgotten, so
 * the GC frees its memory with its slab. The uncarved rest of each class's current slab is not
 * counted as idle.
 *
 * <h2>Threads and counters</h2>
 * The pool belongs to one engine's thread: {@link #allocate} and {@link #recycle} are for that
 * thread alone. The counters ({@link #ringsCreated()} and the others) are written by that thread
 * with opaque stores and may be read by any thread at any time, as {@code DeviceCounters} are.
 *
 * <h2>Misuse</h2>
 * Returning a ring twice, or one this pool did not make, is a caller bug that would hand one ring
 * to two connections; it throws.
 */
public final class RingPool implements RingAllocator {
    /** Bytes of the largest slab: 4 MiB, sixteen rings of the default 256 KiB. */
    public static final int DEFAULT_SLAB_BYTES = 4 << 20;
    /** Rings cut from one slab at most, which bounds what one live ring can keep from being freed. */
    public static final int RINGS_PER_SLAB = 16;
    private static final int CLASSES = 31;
    private static final long PAGE_BYTES = 4096;

    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int CREATED = 0;
    private static final int REUSED = 1;
    private static final int RECYCLED = 2;
    private static final int DISCARDED = 3;
    private static final int IDLE_BYTES = 4;
    private static final int NATIVE_BYTES = 5;
    private static final int COUNTERS = 6;

    private final long maxIdleBytes;
    private final int slabBytes;
    /** Idle rings per size class, a stack of {@link #idleCount} entries. */
    private final ByteRing[][] idle = new ByteRing[CLASSES][];
    private final int[] idleCount = new int[CLASSES];
    /** Per size class: the slab new rings are cut from, and how many bytes of it are cut. */
    private final MemorySegment[] slabs = new MemorySegment[CLASSES];
    private final long[] slabBytesUsed = new long[CLASSES];
    /** Written by the owner thread with opaque stores, read by any thread with opaque loads. */
    private final long[] counters = new long[COUNTERS];

    /**
     * @param maxIdleBytes bytes of idle rings kept at most (0 keeps none)
     * @param slabBytes    the largest slab, a power of two of at least 4096 bytes
     */
    public RingPool(long maxIdleBytes, int slabBytes) {
        if (maxIdleBytes < 0) {
            throw new IllegalArgumentException("maxIdleBytes must not be negative: " + maxIdleBytes);
        }
        if (slabBytes < PAGE_BYTES || slabBytes > ByteRing.MAX_CAPACITY_BYTES || Integer.bitCount(slabBytes) != 1) {
            throw new IllegalArgumentException("slabBytes must be a power of two from 4096 to 2^30: " + slabBytes);
        }
        this.maxIdleBytes = maxIdleBytes;
        this.slabBytes = slabBytes;
    }

    /** A pool with {@link #DEFAULT_SLAB_BYTES} slabs. */
    public RingPool(long maxIdleBytes) {
        this(maxIdleBytes, DEFAULT_SLAB_BYTES);
    }

    /**
     * An empty ring of {@code capacityBytes} at stream offset 0: an idle one if any, else a new one
     * cut from a slab. Its bytes are what its last owner left. Owner thread only.
     *
     * @throws IllegalArgumentException unless {@code capacityBytes} is a power of two from 1 to 2^30
     */
    @Override
    public ByteRing allocate(int capacityBytes) {
        ByteRing.checkCapacity(capacityBytes);
        int sizeClass = Integer.numberOfTrailingZeros(capacityBytes);
        int count = idleCount[sizeClass];
        ByteRing ring;
        if (count > 0) {
            ring = idle[sizeClass][count - 1];
            idle[sizeClass][count - 1] = null;
            idleCount[sizeClass] = count - 1;
            add(IDLE_BYTES, -capacityBytes);
            add(REUSED, 1);
            ring.reset(0);
        } else {
            ring = new ByteRing(carve(sizeClass, capacityBytes));
            ring.pool = this;
            add(CREATED, 1);
        }
        ring.returned = false;
        return ring;
    }

    /**
     * Takes back a ring: idle for the next {@link #allocate} of its capacity, or forgotten when
     * that would keep more than {@code maxIdleBytes} idle. Owner thread only.
     *
     * @throws IllegalArgumentException if this pool did not make the ring
     * @throws IllegalStateException    if the ring was already returned
     */
    @Override
    public void recycle(ByteRing ring) {
        if (ring.pool != this) {
            throw new IllegalArgumentException("not a ring of this pool: " + ring);
        }
        if (ring.returned) {
            throw new IllegalStateException("ring returned twice: " + ring);
        }
        ring.returned = true;
        add(RECYCLED, 1);
        int capacity = ring.capacity();
        if (idleBytes() + capacity > maxIdleBytes) {
            add(DISCARDED, 1);
            return;
        }
        int sizeClass = Integer.numberOfTrailingZeros(capacity);
        ByteRing[] stack = idle[sizeClass];
        int count = idleCount[sizeClass];
        if (stack == null || count == stack.length) {
            stack = stack == null ? new ByteRing[16] : Arrays.copyOf(stack, 2 * stack.length);
            idle[sizeClass] = stack;
        }
        stack[count] = ring;
        idleCount[sizeClass] = count + 1;
        add(IDLE_BYTES, capacity);
    }

    private MemorySegment carve(int sizeClass, int capacityBytes) {
        long slabSize = Math.min((long) slabBytes, (long) capacityBytes * RINGS_PER_SLAB);
        if (capacityBytes >= slabSize) {
            add(NATIVE_BYTES, capacityBytes);
            return Arena.ofAuto().allocate(capacityBytes, Math.min(PAGE_BYTES, capacityBytes));
        }
        MemorySegment slab = slabs[sizeClass];
        if (slab == null || slabBytesUsed[sizeClass] == slab.byteSize()) {
            slab = Arena.ofAuto().allocate(slabSize, Math.min(PAGE_BYTES, slabSize));
            slabs[sizeClass] = slab;
            slabBytesUsed[sizeClass] = 0;
            add(NATIVE_BYTES, slabSize);
        }
        MemorySegment ring = slab.asSlice(slabBytesUsed[sizeClass], capacityBytes);
        slabBytesUsed[sizeClass] += capacityBytes;
        if (slabBytesUsed[sizeClass] == slab.byteSize()) {
            slabs[sizeClass] = null; // its rings keep it alive; the pool need not
        }
        return ring;
    }

    private void add(int counter, long delta) {
        COUNTER.setOpaque(counters, counter, counters[counter] + delta);
    }

    private long read(int counter) {
        return (long) COUNTER.getOpaque(counters, counter);
    }

    /** The idle limit this pool was made with. */
    public long maxIdleBytes() {
        return maxIdleBytes;
    }

    /** Rings made new (cut from a slab or allocated alone). Any thread. */
    public long ringsCreated() {
        return read(CREATED);
    }

    /** Rings handed out again from the idle stacks. Any thread. */
    public long ringsReused() {
        return read(REUSED);
    }

    /** Rings given back, idle or forgotten. Any thread. */
    public long ringsRecycled() {
        return read(RECYCLED);
    }

    /** Rings given back beyond the idle limit and forgotten. Any thread. */
    public long ringsDiscarded() {
        return read(DISCARDED);
    }

    /** Bytes of idle rings now. Any thread. */
    public long idleBytes() {
        return read(IDLE_BYTES);
    }

    /** Native bytes this pool has allocated in slabs and single rings, ever (the GC frees them later). Any thread. */
    public long nativeBytesAllocated() {
        return read(NATIVE_BYTES);
    }

    /** Rings handed out and not yet given back. Any thread (from counters read one after another). */
    public long ringsInUse() {
        return ringsCreated() + ringsReused() - ringsRecycled();
    }

    @Override
    public String toString() {
        return "RingPool[created=" + ringsCreated() + ", reused=" + ringsReused() + ", recycled=" + ringsRecycled()
                + ", discarded=" + ringsDiscarded() + ", idle-bytes=" + idleBytes()
                + ", native-bytes=" + nativeBytesAllocated() + "]";
    }
}
