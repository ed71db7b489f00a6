package io.mtcp4j.stack.engine;

import java.lang.foreign.MemorySegment;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The queues through which the engines of a group hand received frames to each other (Seastar's
 * software steering): a TCP segment or ICMP error that arrived at an engine other than its
 * flow's owner, and copies of ARP and neighbour discovery frames for every engine's neighbour
 * caches.
 *
 * <h2>Memory and bounds</h2>
 * Each engine owns {@code slotsPerEngine} preallocated slots for frames of flows, each as large
 * as a frame the engines accept, and a separate, smaller pool for neighbour copies (so that a
 * flood of flow hand-offs never starves neighbour resolution, and the reverse). To hand a frame
 * over, the sending engine takes one of its free slots of the kind, copies the frame into it and
 * offers the slot to the receiving engine's inbound queue; the receiving engine polls its
 * inbound queue in its receive step, processes the frame in place and gives the slot back to
 * the free queue it came from. So a sender holds at most {@code slotsPerEngine} frames of flows
 * in flight, to all other engines together; when none is free the frame is dropped and counted
 * ({@link EngineDrop#HANDOFF_QUEUE_FULL}). An inbound queue can hold every slot of every engine,
 * so offering never fails, nor does giving a slot back.
 *
 * <h2>Threads</h2>
 * Inbound queues have many producers (the other engines) and one consumer (their engine); free
 * queues have many producers (the engines giving slots back) and one consumer (the slots'
 * owner). Both are JCTools bounded MPSC array queues, in the variant over
 * {@code java.util.concurrent.atomic} rather than {@code sun.misc.Unsafe}, whose memory access
 * methods JDK 24 and later warn about. A slot's bytes and fields are written before the offer
 * (a release store) and read after the poll (an acquire load). Nothing allocates per frame.
 */
final class FrameHandoff {
    /** What the receiving engine does with a handed-over frame. */
    static final int KIND_OWNED = 0;
    /** A copy of an ARP or neighbour discovery frame another engine answered: learn from it only. */
    static final int KIND_NEIGHBOR_COPY = 1;

    /** Neighbour copy slots per engine for each other engine: one copy per other engine is one ARP packet's worth. */
    static final int NEIGHBOR_SLOTS_PER_PEER = 8;

    /** One frame in flight between two engines. */
    static final class Slot {
        /** The free queue this slot returns to. */
        final MpscAtomicArrayQueue<Slot> home;
        final MemorySegment buffer;
        int length;
        int kind;

        Slot(MpscAtomicArrayQueue<Slot> home, MemorySegment buffer) {
            this.home = home;
            this.buffer = buffer;
        }
    }

    private final int engines;
    private final int slotBytes;
    private final MpscAtomicArrayQueue<Slot>[] inbound;
    private final MpscAtomicArrayQueue<Slot>[] free;
    private final MpscAtomicArrayQueue<Slot>[] freeForNeighborCopies;

    /**
     * @param engines        engines in the group
     * @param slotsPerEngine frames each engine may have in flight to the others
     * @param slotBytes      the largest frame handed over
     */
    @SuppressWarnings("unchecked")
    FrameHandoff(int engines, int slotsPerEngine, int slotBytes) {
        if (engines < 1 || slotsPerEngine < 1 || slotBytes < 1) {
            throw new IllegalArgumentException("engines, slotsPerEngine and slotBytes must be positive: "
                    + engines + ", " + slotsPerEngine + ", " + slotBytes);
        }
        this.engines = engines;
        this.slotBytes = slotBytes;
        inbound = new MpscAtomicArrayQueue[engines];
        free = new MpscAtomicArrayQueue[engines];
        freeForNeighborCopies = new MpscAtomicArrayQueue[engines];
        int neighborSlots = NEIGHBOR_SLOTS_PER_PEER * Math.max(1, engines - 1);
        int inboundCapacity = Math.max(2, Math.multiplyExact(engines, slotsPerEngine + neighborSlots));
        for (int engine = 0; engine < engines; engine++) {
            inbound[engine] = new MpscAtomicArrayQueue<>(inboundCapacity);
            free[engine] = pool(slotsPerEngine, slotBytes);
            freeForNeighborCopies[engine] = pool(neighborSlots, slotBytes);
        }
    }

    private static MpscAtomicArrayQueue<Slot> pool(int slots, int slotBytes) {
        MpscAtomicArrayQueue<Slot> pool = new MpscAtomicArrayQueue<>(Math.max(2, slots));
        MemorySegment memory = MemorySegment.ofArray(new byte[Math.multiplyExact(slots, slotBytes)]);
        for (int s = 0; s < slots; s++) {
            pool.offer(new Slot(pool, memory.asSlice((long) s * slotBytes, slotBytes)));
        }
        return pool;
    }

    int engines() {
        return engines;
    }

    int slotBytes() {
        return slotBytes;
    }

    /**
     * Engine {@code from} copies a frame for engine {@code to}. Returns false, copying nothing,
     * when {@code from} has no free slot for this kind or the frame is larger than a slot.
     */
    boolean offer(int from, int to, MemorySegment frame, long offset, int length, int kind) {
        if (length > slotBytes) {
            return false;
        }
        Slot slot = (kind == KIND_NEIGHBOR_COPY ? freeForNeighborCopies : free)[from].relaxedPoll();
        if (slot == null) {
            return false;
        }
        MemorySegment.copy(frame, offset, slot.buffer, 0, length);
        slot.length = length;
        slot.kind = kind;
        inbound[to].offer(slot);
        return true;
    }

    /** The next frame handed to engine {@code to}, or null; give it back with {@link #release}. */
    Slot poll(int to) {
        return inbound[to].relaxedPoll();
    }

    /** Returns a processed slot to the engine that sent it. */
    void release(Slot slot) {
        slot.home.offer(slot);
    }

    /** Whether frames wait for engine {@code to}. Any thread. */
    boolean hasFrames(int to) {
        return !inbound[to].isEmpty();
    }

    /** Free slots of engine {@code engine} for frames of flows (for tests). */
    int freeSlots(int engine) {
        return free[engine].size();
    }
}
