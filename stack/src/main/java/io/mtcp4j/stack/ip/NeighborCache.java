package io.mtcp4j.stack.ip;

import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.MacAddress;
import java.lang.foreign.MemorySegment;

/**
 * Maps next-hop IP addresses to Ethernet addresses: the ARP cache of RFC 826 / RFC 1122 2.3.2 and
 * the neighbour cache of RFC 4861 7.3, one state machine for both (see {@link NeighborState}).
 * An engine keeps one instance per address family and interface.
 *
 * <h2>Keys</h2>
 * An address is two 64-bit halves as the flyweights read them; an IPv4 address is the low 32 bits
 * of {@code low}, {@code high} zero ({@code Integer.toUnsignedLong(address)}).
 *
 * <h2>Use from the engine</h2>
 * <ul>
 *   <li>Sending: {@link #resolveOrHold} with the finished frame (all but its Ethernet destination)
 *       returns the MAC to write, or keeps a copy of the frame until the answer comes;
 *       {@link #resolve} does the same without a frame.</li>
 *   <li>Receiving: {@link #learn} with the flags that the ARP packet or the neighbour message
 *       implies ({@link IpControl} does the mapping); {@link #confirm} when TCP sees forward
 *       progress (RFC 4861 7.3.1), which spares the probes.</li>
 *   <li>Every loop: {@link #onTimers}, which sends due solicitations and fails resolutions that ran
 *       out; {@link #nextDeadlineNs()} tells the idle strategy how long it may sleep. A resolution
 *       started by {@code resolve} is due at once, so call {@code onTimers} after the step that
 *       sends, or accept one loop of delay for the first solicitation.</li>
 * </ul>
 *
 * <h2>Bounds</h2>
 * The table holds {@link NeighborConfig#capacity()} entries in an open-addressing hash index
 * (linear probing, at most half full, backward-shift deletion) over fixed slots. When it is full a
 * new address takes the slot of the least recently used entry that is not resolving (LRU, as a
 * table that learns from ARP requests should rather forget an idle neighbour than refuse a new
 * one); if every entry is resolving, the new address is refused and counted as
 * {@link IpDrop#NEIGHBOR_TABLE_FULL}. Held frames live in a pool of preallocated buffers shared by
 * all destinations, at most {@link NeighborConfig#pendingFramesPerDestination()} per destination,
 * the newest kept (Linux's {@code unres_qlen}).
 *
 * <h2>Simplifications</h2>
 * ReachableTime is not randomised (RFC 4861 6.3.2 draws it from 0.5-1.5 times the base to keep
 * hosts from probing in step; one engine's entries expire at their own learn times anyway). A
 * REACHABLE entry becomes STALE lazily, when it is next used or inspected, so no timer runs for it.
 * STALE entries are never collected by age: the LRU replacement reclaims them when room is needed.
 * The IsRouter flag of advertisements is ignored: routes come from configuration.
 *
 * <p>One cache belongs to one engine thread. Nothing on the per-packet path allocates.
 */
public final class NeighborCache {
    /** "No link-layer address": an advertisement without a target link-layer address option; a multicast solicitation. */
    public static final long NO_MAC = -1;
    /** {@link #resolve}: no address yet, resolution under way; hold the frame or drop it. */
    public static final long UNRESOLVED = -1;
    /** {@link #resolve}: no entry could be made ({@link IpDrop#NEIGHBOR_TABLE_FULL}); drop the frame. */
    public static final long TABLE_FULL = -2;
    /** {@link #resolveOrHold}: the frame was copied and will be transmitted (or dropped and counted) later. */
    public static final long HELD = -3;
    /** {@link #resolveOrHold}: the frame was not kept; the reason is counted in {@link #drops()}. */
    public static final long DROPPED = -4;

    /** {@link #learn} flag: the answer to our solicitation (an NA's S flag; an ARP reply to us): reachability confirmed. */
    public static final int SOLICITED = 1;
    /** {@link #learn} flag: a different link-layer address replaces the cached one (an NA's O flag; every ARP packet, RFC 826). */
    public static final int OVERRIDE = 1 << 1;
    /** {@link #learn} flag: make an entry if there is none (a solicitation for us; an ARP packet aimed at us). */
    public static final int CREATE = 1 << 2;

    private static final int NONE = -1;
    private static final NeighborState[] STATES = NeighborState.values();

    private final NeighborConfig config;
    private final int capacity;

    // Entries, by slot.
    private final long[] keyHigh;
    private final long[] keyLow;
    private final long[] mac;
    private final byte[] state;
    /** INCOMPLETE, DELAY, PROBE: when the timer fires. */
    private final long[] timerDeadlineNs;
    /** REACHABLE: until when. */
    private final long[] reachableUntilNs;
    /** INCOMPLETE, PROBE: solicitations sent in this state. */
    private final int[] solicitations;
    /** Recency list, most recent first; the free list reuses {@code lruNext}. */
    private final int[] lruPrevious;
    private final int[] lruNext;
    private int lruHead = NONE;
    private int lruTail = NONE;
    private int freeSlots;
    private int size;

    // Hash index: slot + 1 per bucket, 0 for empty.
    private final int[] buckets;
    private final int bucketMask;

    // Held frames: a ring of buffer numbers per slot, over a shared pool.
    private final int perDestination;
    private final int[] pendingRing;
    private final int[] pendingFirst;
    private final int[] pendingCount;
    private final MemorySegment pool;
    private final int bufferBytes;
    private final int[] bufferLength;
    private final int[] freeBuffers;
    private int freeBufferCount;

    private long earliestDeadlineNs = Long.MAX_VALUE;
    private long evictions;
    private final DropCounters drops = new DropCounters();

    public NeighborCache(NeighborConfig config) {
        this.config = config;
        this.capacity = config.capacity();
        keyHigh = new long[capacity];
        keyLow = new long[capacity];
        mac = new long[capacity];
        state = new byte[capacity];
        timerDeadlineNs = new long[capacity];
        reachableUntilNs = new long[capacity];
        solicitations = new int[capacity];
        lruPrevious = new int[capacity];
        lruNext = new int[capacity];
        for (int slot = 0; slot < capacity; slot++) {
            lruNext[slot] = slot + 1 < capacity ? slot + 1 : NONE;
        }
        freeSlots = 0;
        int bucketCount = Integer.highestOneBit(capacity * 2 - 1) << 1;
        buckets = new int[bucketCount];
        bucketMask = bucketCount - 1;

        perDestination = config.pendingFramesPerDestination();
        pendingRing = new int[capacity * perDestination];
        pendingFirst = new int[capacity];
        pendingCount = new int[capacity];
        bufferBytes = config.maxFrameBytes();
        pool = MemorySegment.ofArray(new byte[Math.multiplyExact(config.pendingFramesTotal(), bufferBytes)]);
        bufferLength = new int[config.pendingFramesTotal()];
        freeBuffers = new int[config.pendingFramesTotal()];
        for (int buffer = 0; buffer < freeBuffers.length; buffer++) {
            freeBuffers[buffer] = freeBuffers.length - 1 - buffer;
        }
        freeBufferCount = freeBuffers.length;
    }

    public NeighborConfig config() {
        return config;
    }

    /**
     * The link-layer address to send to {@code high:low}, starting a resolution if there is none.
     * A STALE entry moves to DELAY (RFC 4861 7.3.3), and its address is used meanwhile.
     *
     * @return the MAC (48 bits, non-negative), {@link #UNRESOLVED} or {@link #TABLE_FULL}
     */
    public long resolve(long high, long low, long nowNs) {
        int slot = find(high, low);
        if (slot == NONE) {
            slot = allocate(high, low);
            if (slot == NONE) {
                drops.increment(IpDrop.NEIGHBOR_TABLE_FULL);
                return TABLE_FULL;
            }
            setState(slot, NeighborState.INCOMPLETE);
            solicitations[slot] = 0;
            armTimer(slot, nowNs);
            return UNRESOLVED;
        }
        touch(slot);
        NeighborState current = currentState(slot, nowNs);
        switch (current) {
            case INCOMPLETE -> {
                return UNRESOLVED;
            }
            case STALE -> {
                setState(slot, NeighborState.DELAY);
                armTimer(slot, nowNs + config.delayFirstProbeTimeNs());
            }
            default -> { }
        }
        return mac[slot];
    }

    /**
     * {@link #resolve}, and when there is no address yet, a copy of the frame is held until the
     * answer arrives: it then goes to {@link NeighborOutput#transmit} with its Ethernet destination
     * written, or is dropped and counted if the resolution fails.
     *
     * @param frame the whole frame, Ethernet header first; its destination MAC is what is missing
     * @return the MAC to write before sending the frame yourself; {@link #HELD}; or {@link #DROPPED}
     *         (table full, frame too long for a buffer, or no free buffer; counted)
     */
    public long resolveOrHold(long high, long low, MemorySegment frame, long offset, int length, long nowNs) {
        long resolved = resolve(high, low, nowNs);
        if (resolved >= 0) {
            return resolved;
        }
        if (resolved == TABLE_FULL) {
            return DROPPED;
        }
        if (length > bufferBytes) {
            drops.increment(IpDrop.NEIGHBOR_FRAME_TOO_LONG);
            return DROPPED;
        }
        int slot = find(high, low);
        if (pendingCount[slot] == perDestination) {
            releaseBuffer(dequeuePending(slot));
            drops.increment(IpDrop.NEIGHBOR_PENDING_OVERFLOW);
        }
        if (freeBufferCount == 0) {
            drops.increment(IpDrop.NEIGHBOR_PENDING_POOL_EMPTY);
            return DROPPED;
        }
        int buffer = freeBuffers[--freeBufferCount];
        MemorySegment.copy(frame, offset, pool, (long) buffer * bufferBytes, length);
        bufferLength[buffer] = length;
        pendingRing[slot * perDestination + (pendingFirst[slot] + pendingCount[slot]) % perDestination] = buffer;
        pendingCount[slot]++;
        return HELD;
    }

    /**
     * Takes in a link-layer address heard from {@code high:low}, by RFC 4861 7.2.3 and 7.2.5 (and
     * RFC 826's merge, which is the same rule with {@link #OVERRIDE} always set):
     * <ul>
     *   <li>no entry: one is made only with {@link #CREATE} and an address, REACHABLE if
     *       {@link #SOLICITED}, else STALE;</li>
     *   <li>INCOMPLETE: without an address nothing changes; with one, it is recorded, the state
     *       becomes REACHABLE if solicited, else STALE, and the held frames are released;</li>
     *   <li>otherwise, an address that differs from the cached one without {@link #OVERRIDE} only
     *       turns a REACHABLE entry STALE (7.2.5: the advertisement is not trusted over a confirmed
     *       address, but casts doubt on it). With {@code OVERRIDE}, or no address, or the same
     *       address: a different address replaces the cached one; a solicited answer makes the
     *       entry REACHABLE; an unsolicited one with a new address makes it STALE; else the state
     *       stays.</li>
     * </ul>
     *
     * @param mac the link-layer address, or {@link #NO_MAC} (an advertisement without the option)
     * @param flags {@link #SOLICITED}, {@link #OVERRIDE}, {@link #CREATE}
     * @param output receives the held frames an answer releases
     */
    public void learn(long high, long low, long mac, int flags, long nowNs, NeighborOutput output) {
        boolean solicited = (flags & SOLICITED) != 0;
        int slot = find(high, low);
        if (slot == NONE) {
            if ((flags & CREATE) == 0 || mac == NO_MAC) {
                return;
            }
            slot = allocate(high, low);
            if (slot == NONE) {
                drops.increment(IpDrop.NEIGHBOR_TABLE_FULL);
                return;
            }
            this.mac[slot] = mac;
            enterResolved(slot, solicited, nowNs);
            return;
        }
        NeighborState current = currentState(slot, nowNs);
        if (current == NeighborState.INCOMPLETE) {
            if (mac == NO_MAC) {
                return;
            }
            this.mac[slot] = mac;
            enterResolved(slot, solicited, nowNs);
            releasePending(slot, output);
            return;
        }
        boolean differs = mac != NO_MAC && mac != this.mac[slot];
        if (differs && (flags & OVERRIDE) == 0) {
            if (current == NeighborState.REACHABLE) {
                setState(slot, NeighborState.STALE);
            }
            return;
        }
        if (differs) {
            this.mac[slot] = mac;
        }
        if (solicited) {
            enterResolved(slot, true, nowNs);
        } else if (differs) {
            enterResolved(slot, false, nowNs);
        }
    }

    /**
     * Upper-layer reachability confirmation (RFC 4861 7.3.1): TCP saw new data acknowledged by, or
     * arrive from, this next hop. An entry that has an address becomes REACHABLE; nothing else
     * changes. Cheap enough to call on every acknowledgment that advances.
     */
    public void confirm(long high, long low, long nowNs) {
        int slot = find(high, low);
        if (slot != NONE && state[slot] != NeighborState.INCOMPLETE.ordinal()) {
            enterResolved(slot, true, nowNs);
        }
    }

    /**
     * Runs the timers due at {@code nowNs}: the next solicitation of each INCOMPLETE entry, the
     * first probe of a DELAY entry whose wait ended (it enters PROBE), the next probe of a PROBE
     * entry; an entry whose solicitations ran out is removed, its held frames dropped as
     * {@link IpDrop#NEIGHBOR_RESOLUTION_FAILED}, and {@link NeighborOutput#resolutionFailed} called.
     * Returns at once when nothing is due.
     *
     * @return solicitations sent plus entries failed: the work done, for the duty cycle
     */
    public int onTimers(long nowNs, NeighborOutput output) {
        if (nowNs < earliestDeadlineNs) {
            return 0;
        }
        int work = 0;
        long earliest = Long.MAX_VALUE;
        int slot = lruHead;
        while (slot != NONE) {
            int next = lruNext[slot];
            NeighborState current = STATES[state[slot]];
            boolean timed = current == NeighborState.INCOMPLETE || current == NeighborState.DELAY
                    || current == NeighborState.PROBE;
            if (timed && timerDeadlineNs[slot] <= nowNs) {
                work++;
                if (!fire(slot, current, nowNs, output)) {
                    slot = next;
                    continue;
                }
            }
            if (timed) {
                earliest = Math.min(earliest, timerDeadlineNs[slot]);
            }
            slot = next;
        }
        earliestDeadlineNs = earliest;
        return work;
    }

    /** Fires one entry's timer; returns false when the entry was removed. */
    private boolean fire(int slot, NeighborState current, long nowNs, NeighborOutput output) {
        switch (current) {
            case INCOMPLETE -> {
                if (solicitations[slot] >= config.maxMulticastSolicitations()) {
                    fail(slot, output);
                    return false;
                }
                solicitations[slot]++;
                timerDeadlineNs[slot] = nowNs + config.retransmitTimeNs();
                output.solicit(keyHigh[slot], keyLow[slot], NO_MAC);
            }
            case DELAY -> {
                setState(slot, NeighborState.PROBE);
                solicitations[slot] = 1;
                timerDeadlineNs[slot] = nowNs + config.retransmitTimeNs();
                output.solicit(keyHigh[slot], keyLow[slot], mac[slot]);
            }
            case PROBE -> {
                if (solicitations[slot] >= config.maxUnicastSolicitations()) {
                    fail(slot, output);
                    return false;
                }
                solicitations[slot]++;
                timerDeadlineNs[slot] = nowNs + config.retransmitTimeNs();
                output.solicit(keyHigh[slot], keyLow[slot], mac[slot]);
            }
            default -> throw new IllegalStateException("no timer runs in state " + current);
        }
        return true;
    }

    /**
     * When {@link #onTimers} may next have work: a solicitation or probe due; {@code Long.MAX_VALUE}
     * when none. Never later than the next due timer, but possibly earlier: a timer an answer made
     * unnecessary is forgotten only at the next {@code onTimers} past it (one spurious wake-up
     * rather than a search on every answer).
     */
    public long nextDeadlineNs() {
        return earliestDeadlineNs;
    }

    /** The entry's state as of {@code nowNs} (a REACHABLE entry past its time reads STALE); {@link NeighborState#NONE} without one. */
    public NeighborState state(long high, long low, long nowNs) {
        int slot = find(high, low);
        return slot == NONE ? NeighborState.NONE : currentState(slot, nowNs);
    }

    /** The cached link-layer address, or {@link #NO_MAC} without an entry or while INCOMPLETE. Changes nothing. */
    public long cachedMac(long high, long low) {
        int slot = find(high, low);
        return slot == NONE || state[slot] == NeighborState.INCOMPLETE.ordinal() ? NO_MAC : mac[slot];
    }

    /** Frames held for this address. */
    public int pendingFrames(long high, long low) {
        int slot = find(high, low);
        return slot == NONE ? 0 : pendingCount[slot];
    }

    /** Pending-frame buffers free in the shared pool. */
    public int freePendingBuffers() {
        return freeBufferCount;
    }

    /** Entries in the table. */
    public int size() {
        return size;
    }

    /** Entries replaced to make room for another address. */
    public long evictions() {
        return evictions;
    }

    /** Frames and entries dropped, by reason. */
    public DropCounters drops() {
        return drops;
    }

    // ---- state ----

    private NeighborState currentState(int slot, long nowNs) {
        NeighborState current = STATES[state[slot]];
        if (current == NeighborState.REACHABLE && nowNs - reachableUntilNs[slot] >= 0) {
            setState(slot, NeighborState.STALE);
            return NeighborState.STALE;
        }
        return current;
    }

    private void enterResolved(int slot, boolean confirmed, long nowNs) {
        if (confirmed) {
            setState(slot, NeighborState.REACHABLE);
            reachableUntilNs[slot] = nowNs + config.reachableTimeNs();
        } else {
            setState(slot, NeighborState.STALE);
        }
        solicitations[slot] = 0;
    }

    private void setState(int slot, NeighborState next) {
        state[slot] = (byte) next.ordinal();
    }

    private void armTimer(int slot, long deadlineNs) {
        timerDeadlineNs[slot] = deadlineNs;
        if (deadlineNs < earliestDeadlineNs) {
            earliestDeadlineNs = deadlineNs;
        }
    }

    private void fail(int slot, NeighborOutput output) {
        int dropped = pendingCount[slot];
        while (pendingCount[slot] > 0) {
            releaseBuffer(dequeuePending(slot));
        }
        drops.add(IpDrop.NEIGHBOR_RESOLUTION_FAILED, dropped);
        long high = keyHigh[slot];
        long low = keyLow[slot];
        remove(slot);
        output.resolutionFailed(high, low, dropped);
    }

    // ---- held frames ----

    private int dequeuePending(int slot) {
        int buffer = pendingRing[slot * perDestination + pendingFirst[slot]];
        pendingFirst[slot] = (pendingFirst[slot] + 1) % perDestination;
        pendingCount[slot]--;
        return buffer;
    }

    private void releaseBuffer(int buffer) {
        freeBuffers[freeBufferCount++] = buffer;
    }

    private void releasePending(int slot, NeighborOutput output) {
        long destination = mac[slot];
        while (pendingCount[slot] > 0) {
            int buffer = dequeuePending(slot);
            long bufferOffset = (long) buffer * bufferBytes;
            MacAddress.write(pool, bufferOffset + EthernetFlyweight.DESTINATION_OFFSET, destination);
            try {
                output.transmit(pool, bufferOffset, bufferLength[buffer]);
            } finally {
                releaseBuffer(buffer);
            }
        }
    }

    // ---- table ----

    private int find(long high, long low) {
        int bucket = home(high, low);
        while (true) {
            int entry = buckets[bucket];
            if (entry == 0) {
                return NONE;
            }
            int slot = entry - 1;
            if (keyLow[slot] == low && keyHigh[slot] == high) {
                return slot;
            }
            bucket = (bucket + 1) & bucketMask;
        }
    }

    private int home(long high, long low) {
        // A 64-bit mix (the splitmix64 finaliser) of both halves: IPv4 keys differ only in their low
        // 32 bits, IPv6 neighbours often only in their last bytes, so every input bit must reach the mask.
        long h = high * 0x9e37_79b9_7f4a_7c15L + low;
        h = (h ^ (h >>> 30)) * 0xbf58_476d_1ce4_e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d0_49bb_1331_11ebL;
        return (int) (h ^ (h >>> 31)) & bucketMask;
    }

    /** A fresh slot for this key, linked as most recent; evicts if full; NONE if nothing can be evicted. */
    private int allocate(long high, long low) {
        if (size == capacity) {
            int victim = lruTail;
            while (victim != NONE && state[victim] == NeighborState.INCOMPLETE.ordinal()) {
                victim = lruPrevious[victim];
            }
            if (victim == NONE) {
                return NONE;
            }
            remove(victim);
            evictions++;
        }
        int slot = freeSlots;
        freeSlots = lruNext[slot];
        keyHigh[slot] = high;
        keyLow[slot] = low;
        mac[slot] = NO_MAC;
        solicitations[slot] = 0;
        pendingFirst[slot] = 0;
        pendingCount[slot] = 0;
        int bucket = home(high, low);
        while (buckets[bucket] != 0) {
            bucket = (bucket + 1) & bucketMask;
        }
        buckets[bucket] = slot + 1;
        linkFirst(slot);
        size++;
        return slot;
    }

    /** Unlinks and frees a slot that holds no frames. */
    private void remove(int slot) {
        int bucket = home(keyHigh[slot], keyLow[slot]);
        while (buckets[bucket] != slot + 1) {
            bucket = (bucket + 1) & bucketMask;
        }
        // Backward-shift deletion (Knuth 6.4 algorithm R): move later entries of the probe run into
        // the hole unless their home lies cyclically after the hole, so lookups never stop early.
        int hole = bucket;
        int next = bucket;
        while (true) {
            next = (next + 1) & bucketMask;
            int entry = buckets[next];
            if (entry == 0) {
                break;
            }
            int entryHome = home(keyHigh[entry - 1], keyLow[entry - 1]);
            boolean staysPut = hole <= next
                    ? hole < entryHome && entryHome <= next
                    : hole < entryHome || entryHome <= next;
            if (!staysPut) {
                buckets[hole] = entry;
                hole = next;
            }
        }
        buckets[hole] = 0;
        unlink(slot);
        setState(slot, NeighborState.NONE);
        lruNext[slot] = freeSlots;
        freeSlots = slot;
        size--;
    }

    private void touch(int slot) {
        if (lruHead != slot) {
            unlink(slot);
            linkFirst(slot);
        }
    }

    private void linkFirst(int slot) {
        lruPrevious[slot] = NONE;
        lruNext[slot] = lruHead;
        if (lruHead != NONE) {
            lruPrevious[lruHead] = slot;
        }
        lruHead = slot;
        if (lruTail == NONE) {
            lruTail = slot;
        }
    }

    private void unlink(int slot) {
        int previous = lruPrevious[slot];
        int next = lruNext[slot];
        if (previous != NONE) {
            lruNext[previous] = next;
        } else {
            lruHead = next;
        }
        if (next != NONE) {
            lruPrevious[next] = previous;
        } else {
            lruTail = previous;
        }
    }
}
