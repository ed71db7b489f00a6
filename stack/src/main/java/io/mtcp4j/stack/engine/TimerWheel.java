package io.mtcp4j.stack.engine;

/**
 * A hierarchical timing wheel (Varghese and Lauck, "Hashed and Hierarchical Timing Wheels", SOSP
 * 1987; the shape of Linux's classic cascading timer wheel): the per-connection timers of one
 * engine (retransmission, delayed ACK, persist, keepalive, TIME_WAIT), with O(1) arm and cancel.
 *
 * <h2>Geometry</h2>
 * Time is cut into ticks of {@code tickNs} (1 ms by default). Five levels of slots hold the armed
 * timers by how far away their deadline is, measured from the wheel's current tick:
 * <pre>
 * level  slots  ticks per slot  holds deadlines this many ticks away   at 1 ms per tick
 *   0     256        1          [0, 2^8)                                up to 256 ms
 *   1      64       2^8         [2^8, 2^14)                             up to 16 s
 *   2      64       2^14        [2^14, 2^20)                            up to 17 min
 *   3      64       2^20        [2^20, 2^26)                            up to 18.6 h
 *   4      64       2^26        [2^26, 2^32)                            up to 49.7 days
 * </pre>
 * A level-0 slot holds timers that all expire on the same tick. A slot of a higher level covers
 * many ticks; when the wheel reaches the first tick of that range, the slot is <em>cascaded</em>:
 * each of its timers is placed again, now in a lower level (Linux's cascade). Every timer is
 * re-placed at most once per level, so the cost per timer stays O(levels). A deadline 2^32 ticks
 * or more away (overflow) is parked in the level-4 slot that is cascaded last before 2^32 ticks
 * have passed; the cascade places it again by its true deadline, so it goes round as many times
 * as it needs and is never early.
 *
 * <h2>Timers are intrusive</h2>
 * The engine owns its timers: each connection holds a {@link Timer} per timer kind, created once,
 * with a reference to its owner and a kind number. The wheel links timers into its slots through
 * fields of the timer itself (a doubly linked list per slot), so arming, moving and cancelling
 * never allocate and cost O(1). A timer is in at most one wheel at a time.
 *
 * <h2>When a timer fires</h2>
 * A timer whose deadline is {@code deadlineNs} fires in the first {@link #poll} whose
 * {@code nowNs >= deadlineNs}, rounded up to the next tick boundary: never before its deadline and
 * less than one tick after it (given polls that often, and no {@code maxExpiries} bound holding it
 * back). Ticks are counted from the {@code startNs} given to the constructor, so the rounding is to
 * {@code startNs + k * tickNs}. A timer armed for a deadline that has already passed follows the
 * same rule; when its rounded-up tick has been processed already, it is due and fires in the next
 * poll.
 *
 * <p>Order: timers fire in the order of their ticks; within one tick the order is unspecified (it
 * is roughly the order in which timers reached the slot). Timers overdue when armed are queued
 * behind those already due.
 *
 * <h2>Time</h2>
 * No clock is read here. Times are {@link System#nanoTime()}-style values: only differences
 * matter, so they may wrap; a deadline must lie within 2<sup>62</sup> ns of the current time, and
 * {@code nowNs} must never go backwards between polls.
 *
 * <h2>Use in the engine loop</h2>
 * <pre>{@code
 * TimerWheel wheel = new TimerWheel(TimerWheel.DEFAULT_TICK_NS, nowNs);
 * TimerWheel.Handler handler = (timer, nowNs) -> ((Flow) timer.owner()).onTimer(timer.kind(), nowNs);  // once
 * connection.retransmitTimer = new TimerWheel.Timer(connection, RETRANSMIT);                      // once per flow
 * wheel.schedule(connection.retransmitTimer, nowNs + rtoNs);   // arm, or move when armed
 * wheel.cancel(connection.retransmitTimer);                    // all data acknowledged
 * // every loop, after the receive burst:
 * work += wheel.poll(nowNs, handler, 256);                     // bounded
 * // before blocking:
 * long wakeNs = wheel.nextDeadlineNs();                        // NO_DEADLINE when none armed
 * }</pre>
 *
 * <p>Single-threaded: one engine thread alone touches a wheel and its timers.
 */
public final class TimerWheel {
    /** The default tick: 1 ms, finer than the shortest TCP timer (delayed ACK, 40 ms). */
    public static final long DEFAULT_TICK_NS = 1_000_000L;
    /** What {@link #nextDeadlineNs()} returns when no timer is armed. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Level 0 has 2^8 slots of one tick each. */
    private static final int LEVEL0_BITS = 8;
    private static final int LEVEL0_SLOTS = 1 << LEVEL0_BITS;
    /** Every higher level has 2^6 slots, each spanning a whole turn of the level below. */
    private static final int LEVEL_BITS = 6;
    private static final int LEVEL_SLOTS = 1 << LEVEL_BITS;
    private static final int LEVELS = 5;
    /** The deadlines (in ticks from now) the wheel holds without parking: 2^(8 + 4 * 6) = 2^32. */
    private static final long SPAN_TICKS = 1L << (LEVEL0_BITS + (LEVELS - 1) * LEVEL_BITS);
    /** Slot lists are numbered level 0 first, then level 1 and so on: 256 + 4 * 64 of them. */
    private static final int SLOT_COUNT = LEVEL0_SLOTS + (LEVELS - 1) * LEVEL_SLOTS;
    /** The list of timers already due, waiting to be fired, after the slot lists. */
    private static final int DUE = SLOT_COUNT;
    /** {@link Timer#list} of a timer that is not armed. */
    private static final int NOT_ARMED = -1;

    /**
     * Fires an expired timer. The engine passes one handler, created once, to every poll. The
     * handler may arm, move or cancel any timer, this one included.
     */
    @FunctionalInterface
    public interface Handler {
        void onExpiry(Timer timer, long nowNs);
    }

    /**
     * One timer: a node the wheel links into its slot lists, owned by the engine's object that
     * needs it (a connection holds one per timer kind). {@link #owner()} and {@link #kind()} tell
     * the handler what fired. The class is open for an owner that prefers to extend it.
     */
    public static class Timer {
        private final Object owner;
        private final int kind;
        Timer previous;
        Timer next;
        /** The slot list (0 to {@code SLOT_COUNT - 1}), {@link #DUE}, or {@link #NOT_ARMED}. */
        int list = NOT_ARMED;
        TimerWheel wheel;
        long deadlineNs;
        /** The tick on which the deadline falls, rounded up, counted from the wheel's start. */
        long deadlineTick;

        public Timer(Object owner, int kind) {
            this.owner = owner;
            this.kind = kind;
        }

        /** A list head: a timer that is its own neighbour in both directions. */
        private Timer() {
            this(null, -1);
            previous = this;
            next = this;
        }

        /** The object this timer belongs to, as given to the constructor. */
        public final Object owner() {
            return owner;
        }

        /** What this timer is for, as the owner numbered it. */
        public final int kind() {
            return kind;
        }

        /** Whether the timer is armed (in a wheel and not yet fired or cancelled). */
        public final boolean isScheduled() {
            return list != NOT_ARMED;
        }

        /** The deadline it was last armed for; meaningful while {@link #isScheduled()}. */
        public final long deadlineNs() {
            return deadlineNs;
        }
    }

    private final long tickNs;
    private final long startNs;
    /** One head per slot, then the due list's head at {@link #DUE}; circular lists. */
    private final Timer[] heads = new Timer[SLOT_COUNT + 1];
    /** Bit i of word i / 64 is set when level-0 slot i is not empty. */
    private final long[] level0Occupied = new long[LEVEL0_SLOTS / 64];
    /** Bit i of element L is set when slot i of level L (1 to 4) is not empty; element 0 unused. */
    private final long[] levelOccupied = new long[LEVELS];
    /**
     * The next tick to process. Every tick before it has been processed: its level-0 slot moved to
     * the due list, and its cascades done. Level-0 timers expire in [currentTick, currentTick + 256).
     */
    private long currentTick;
    private int size;
    private int dueCount;
    /** A deadline no later than that of any timer in the due list (their minimum, or lower). */
    private long dueEarliestNs;

    /** A wheel with 1 ms ticks whose time starts at {@code startNs}. */
    public TimerWheel(long startNs) {
        this(DEFAULT_TICK_NS, startNs);
    }

    /** A wheel with ticks of {@code tickNs} counted from {@code startNs}. */
    public TimerWheel(long tickNs, long startNs) {
        if (tickNs <= 0) {
            throw new IllegalArgumentException("tick must be positive, got " + tickNs + " ns");
        }
        this.tickNs = tickNs;
        this.startNs = startNs;
        for (int i = 0; i < heads.length; i++) {
            heads[i] = new Timer();
        }
    }

    public long tickNs() {
        return tickNs;
    }

    /** The number of armed timers, due ones included. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The number of timers whose deadline has passed and that wait for a poll to fire them. */
    public int dueCount() {
        return dueCount;
    }

    /**
     * Arms {@code timer} to fire at {@code deadlineNs}; if it is armed already, moves it. O(1).
     *
     * @throws IllegalStateException if the timer is armed in another wheel
     */
    public void schedule(Timer timer, long deadlineNs) {
        if (timer.list != NOT_ARMED) {
            checkOwnWheel(timer);
            unlink(timer);
        } else {
            timer.wheel = this;
            size++;
        }
        timer.deadlineNs = deadlineNs;
        timer.deadlineTick = Math.ceilDiv(deadlineNs - startNs, tickNs);
        place(timer);
    }

    /**
     * Disarms {@code timer}; nothing happens when it is not armed. O(1).
     *
     * @return whether it was armed
     * @throws IllegalStateException if the timer is armed in another wheel
     */
    public boolean cancel(Timer timer) {
        if (timer.list == NOT_ARMED) {
            return false;
        }
        checkOwnWheel(timer);
        unlink(timer);
        forget(timer);
        return true;
    }

    /** Fires every timer whose deadline is at or before {@code nowNs}; see {@link #poll(long, Handler, int)}. */
    public int poll(long nowNs, Handler handler) {
        return poll(nowNs, handler, Integer.MAX_VALUE);
    }

    /**
     * Advances the wheel to {@code nowNs} and fires at most {@code maxExpiries} of the timers
     * whose deadline has passed; the others stay due and fire first in the next poll (and
     * {@link #nextDeadlineNs()} is then in the past). Each timer is disarmed just before its
     * handler runs. A poll fires no more timers than were due when it began, so a handler that
     * re-arms its timer for a time already passed cannot keep one poll running; such a timer
     * may wait for the next poll.
     *
     * <p>Advancing skips empty ticks through per-level occupancy bitmaps, so it costs in proportion
     * to the slots that hold timers, not to the time elapsed.
     *
     * @return the number of timers fired
     */
    public int poll(long nowNs, Handler handler, int maxExpiries) {
        advance(nowNs);
        int budget = Math.min(maxExpiries, dueCount);  // only what was due when the poll began
        Timer due = heads[DUE];
        int fired = 0;
        while (fired < budget && due.next != due) {
            Timer timer = due.next;
            unlink(timer);
            forget(timer);
            fired++;
            handler.onExpiry(timer, nowNs);
        }
        return fired;
    }

    /**
     * When the engine must next poll: a time no later than the earliest armed deadline rounded up
     * to its tick, so an engine that sleeps until then never fires a timer late by more than a
     * tick. It is exact when the earliest timer is in level 0 (armed less than 256 ticks ahead, or
     * cascaded there since); otherwise it may be earlier, at the tick where a higher level's slot
     * is cascaded (a poll then places that slot's timers more precisely, and the next call gives a
     * later time, so a far timer costs at most one early wake-up per level). Times already passed mean timers are due
     * now. {@link #NO_DEADLINE} when nothing is armed. O(levels).
     */
    public long nextDeadlineNs() {
        if (size == 0) {
            return NO_DEADLINE;
        }
        if (dueCount > 0) {
            return dueEarliestNs;
        }
        return tickStartNs(nextEventTick());
    }

    /** Moves every level-0 slot of a tick up to {@code nowNs} to the due list, cascading on the way. */
    private void advance(long nowNs) {
        long nowTick = Math.floorDiv(nowNs - startNs, tickNs);
        if (nowTick < currentTick) {
            return;  // still within the tick the last poll processed
        }
        while (size != dueCount) {
            long tick = nextEventTick();
            if (tick > nowTick) {
                break;
            }
            currentTick = tick;
            cascadeAt(tick);
            int slot = (int) (tick & (LEVEL0_SLOTS - 1));
            if (heads[slot].next != heads[slot]) {
                moveToDue(slot);
            }
            currentTick = tick + 1;
        }
        if (currentTick <= nowTick) {
            currentTick = nowTick + 1;
        }
    }

    /**
     * The first tick at or after {@link #currentTick} with work: the tick of the first occupied
     * level-0 slot, or the cascade tick of the first occupied slot of a higher level. Every armed
     * timer's deadline tick is at or after it. Assumes some timer is in the slots.
     */
    private long nextEventTick() {
        long best = Long.MAX_VALUE;
        int index = (int) (currentTick & (LEVEL0_SLOTS - 1));
        int distance = firstOccupiedLevel0From(index);
        if (distance >= 0) {
            best = currentTick + distance;
        }
        for (int level = 1; level < LEVELS; level++) {
            long occupied = levelOccupied[level];
            if (occupied == 0) {
                continue;
            }
            int shift = shift(level);
            long slotTicks = 1L << shift;
            // The first tick at or after currentTick where this level cascades, and its slot.
            long base = (currentTick + slotTicks - 1) & -slotTicks;
            int baseSlot = (int) ((base >>> shift) & (LEVEL_SLOTS - 1));
            long slotsAway = Long.numberOfTrailingZeros(Long.rotateRight(occupied, baseSlot));
            long cascadeTick = base + (slotsAway << shift);
            if (cascadeTick < best) {
                best = cascadeTick;
            }
        }
        return best;
    }

    /**
     * Slots from {@code index} (cyclically, 0 to 255) to the first occupied level-0 slot, or -1
     * when level 0 is empty.
     */
    private int firstOccupiedLevel0From(int index) {
        int word = index >>> 6;
        long bits = level0Occupied[word] & (-1L << (index & 63));
        for (int step = 0; step <= level0Occupied.length; step++) {
            if (bits != 0) {
                int slot = (word << 6) + Long.numberOfTrailingZeros(bits);
                return (slot - index) & (LEVEL0_SLOTS - 1);
            }
            word = (word + 1) & (level0Occupied.length - 1);
            bits = level0Occupied[word];
        }
        return -1;
    }

    /** At {@code tick}, cascades every higher level whose slot starts there, highest level first. */
    private void cascadeAt(long tick) {
        for (int level = LEVELS - 1; level >= 1; level--) {
            int shift = shift(level);
            if ((tick & ((1L << shift) - 1)) != 0) {
                continue;
            }
            int slot = (int) ((tick >>> shift) & (LEVEL_SLOTS - 1));
            if ((levelOccupied[level] & (1L << slot)) == 0) {
                continue;
            }
            Timer head = heads[slotList(level, slot)];
            // Detach the whole list first: placing a timer again never targets this slot (its
            // deadline is now less than one slot of this level away), but the list must be
            // walked from a stable state.
            Timer first = head.next;
            Timer last = head.previous;
            head.next = head;
            head.previous = head;
            levelOccupied[level] &= ~(1L << slot);
            last.next = null;
            for (Timer timer = first; timer != null; ) {
                Timer following = timer.next;
                place(timer);
                timer = following;
            }
        }
    }

    /** Moves the whole of level-0 slot {@code slot} to the end of the due list. */
    private void moveToDue(int slot) {
        Timer head = heads[slot];
        Timer due = heads[DUE];
        for (Timer timer = head.next; timer != head; timer = timer.next) {
            timer.list = DUE;
            noteDue(timer);
        }
        Timer first = head.next;
        Timer last = head.previous;
        first.previous = due.previous;
        due.previous.next = first;
        last.next = due;
        due.previous = last;
        head.next = head;
        head.previous = head;
        level0Occupied[slot >>> 6] &= ~(1L << slot);
    }

    /** Links {@code timer} into the list its deadline tick calls for, as seen from {@link #currentTick}. */
    private void place(Timer timer) {
        long ticksAway = timer.deadlineTick - currentTick;
        if (ticksAway < 0) {
            timer.list = DUE;
            noteDue(timer);
            append(heads[DUE], timer);
            return;
        }
        long tick = timer.deadlineTick;
        if (ticksAway >= SPAN_TICKS) {
            // Park it where the last cascade before 2^32 ticks from now will look at it again.
            tick = currentTick + SPAN_TICKS - 1;
            ticksAway = SPAN_TICKS - 1;
        }
        if (ticksAway < LEVEL0_SLOTS) {
            int slot = (int) (tick & (LEVEL0_SLOTS - 1));
            timer.list = slot;
            append(heads[slot], timer);
            level0Occupied[slot >>> 6] |= 1L << slot;
            return;
        }
        // The level whose slots are as wide as the highest power of two below ticksAway allows:
        // level L holds [2^(8 + 6(L-1)), 2^(8 + 6L)).
        int level = 1 + (63 - Long.numberOfLeadingZeros(ticksAway) - LEVEL0_BITS) / LEVEL_BITS;
        int slot = (int) ((tick >>> shift(level)) & (LEVEL_SLOTS - 1));
        int list = slotList(level, slot);
        timer.list = list;
        append(heads[list], timer);
        levelOccupied[level] |= 1L << slot;
    }

    private void noteDue(Timer timer) {
        if (dueCount == 0 || timer.deadlineNs - dueEarliestNs < 0) {
            dueEarliestNs = timer.deadlineNs;
        }
        dueCount++;
    }

    private static void append(Timer head, Timer timer) {
        Timer last = head.previous;
        timer.previous = last;
        timer.next = head;
        last.next = timer;
        head.previous = timer;
    }

    /** Removes {@code timer} from its list and keeps the occupancy bits and counts true. */
    private void unlink(Timer timer) {
        Timer previous = timer.previous;
        Timer next = timer.next;
        previous.next = next;
        next.previous = previous;
        timer.previous = null;
        timer.next = null;
        int list = timer.list;
        if (list == DUE) {
            dueCount--;
        } else if (previous == next) {  // only the head is left
            if (list < LEVEL0_SLOTS) {
                level0Occupied[list >>> 6] &= ~(1L << list);
            } else {
                int offset = list - LEVEL0_SLOTS;
                levelOccupied[1 + offset / LEVEL_SLOTS] &= ~(1L << (offset % LEVEL_SLOTS));
            }
        }
        timer.list = NOT_ARMED;
    }

    /** Accounts for a timer that left the wheel. */
    private void forget(Timer timer) {
        timer.wheel = null;
        size--;
    }

    private void checkOwnWheel(Timer timer) {
        if (timer.wheel != this) {
            throw new IllegalStateException("timer is armed in another wheel");
        }
    }

    private long tickStartNs(long tick) {
        return startNs + tick * tickNs;
    }

    /** log2 of the ticks one slot of {@code level} (1 to 4) spans. */
    private static int shift(int level) {
        return LEVEL0_BITS + (level - 1) * LEVEL_BITS;
    }

    private static int slotList(int level, int slot) {
        return LEVEL0_SLOTS + (level - 1) * LEVEL_SLOTS + slot;
    }
}
