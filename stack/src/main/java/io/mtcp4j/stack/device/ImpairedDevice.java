package io.mtcp4j.stack.device;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Wraps any device and impairs its traffic: loss, corruption, duplication, reordering, delay with
 * jitter and a rate limit, configured separately for received and transmitted frames with an
 * {@link Impairment} each (smoltcp's {@code FaultInjector}, Linux's netem, which this machine's
 * kernel does not have).
 *
 * <h2>Determinism</h2>
 * Every random choice comes from a {@link SplittableRandom} seeded at construction, one stream per
 * direction and queue, and time comes from the injected {@code clockNs}, read once per call. The
 * same seed, the same frames and the same clock readings give the same result, so a test can
 * replay a failing transfer exactly.
 *
 * <h2>Where the work happens</h2>
 * The device has no thread. Frames held back (delay, rate, reordering) leave from within the
 * calls of their queue's engine: received ones in {@link #receive}, transmitted ones in
 * {@link #transmit} and {@link #receive}. {@link #wakeupDeadlineNs} and the wait handles tell an
 * idle engine when to call again.
 *
 * <h2>Memory</h2>
 * Frames arrive in place (received frames are the inner device's own views; corruption flips the
 * bit there) and pass through without a copy when nothing holds them. A frame that outlives its
 * call is copied into this device's storage: per impaired direction and queue, a delay line of
 * {@link Impairment#limitBytes()} plus one batch of frames, and 8 frame buffers for reordering.
 * When transmission is impaired, this device lends its own transmit buffers (so the engine's
 * frames survive a hold) and copies what leaves into buffers the inner device lends: one copy per
 * frame. A direction configured with {@link Impairment#NONE} goes straight to the inner device.
 *
 * <h2>Counters</h2>
 * {@link #counters()} are the inner device's (the wire's view); what the impairment did is in
 * {@link #count(Direction, Event)}, per direction, summed over queues, readable from any thread.
 * Closing this device closes the inner one.
 */
public final class ImpairedDevice extends WrappingDevice {
    /** Which frames an impairment applies to. */
    public enum Direction {
        /** Frames the inner device received, on their way to the engine. */
        RECEIVE,
        /** Frames the engine transmits, on their way to the inner device. */
        TRANSMIT
    }

    /** What happened to frames, counted per direction. */
    public enum Event {
        /** Entered the impairment. */
        ARRIVED,
        /** Left it, towards the engine (receive) or the inner device (transmit); duplicates count twice. */
        PASSED,
        LOST,
        CORRUPTED,
        /** Continued twice (the copy is counted here, both copies under PASSED). */
        DUPLICATED,
        /** Held back to let later frames pass. */
        REORDERED,
        /** Waited in the delay line (delay, jitter, rate, or a full receive batch). */
        DELAYED,
        /** Dropped because the delay line was at its limit. */
        OVERFLOWED,
        /** Dropped on transmit because the inner device lent no buffer. */
        NO_BUFFER
    }

    /** Frames a direction of a queue can hold back for reordering at once. */
    static final int REORDER_SLOTS = 8;
    private static final Event[] EVENTS = Event.values();
    private static final long NANOSECONDS_PER_SECOND = 1_000_000_000L;

    private final Impairment receiveImpairment;
    private final Impairment transmitImpairment;
    private final LongSupplier clockNs;
    private final Arena arena = Arena.ofShared();
    private final ReceiveLane[] receiveLanes;
    private final TransmitLane[] transmitLanes;
    private final BufferPool[] transmitPools;
    private final CounterCells receiveCounts;
    private final CounterCells transmitCounts;
    private final WaitHandle[] waitHandles;
    private boolean closed;

    /**
     * @param inner     the device whose traffic is impaired; this device owns and closes it
     * @param receive   what happens to received frames
     * @param transmit  what happens to transmitted frames
     * @param seed      seeds every random choice
     * @param clockNs   the time in nanoseconds (e.g. {@code System::nanoTime}, or a test's clock)
     */
    public ImpairedDevice(NetDevice inner, Impairment receive, Impairment transmit, long seed, LongSupplier clockNs) {
        super(inner);
        this.receiveImpairment = Objects.requireNonNull(receive, "receive");
        this.transmitImpairment = Objects.requireNonNull(transmit, "transmit");
        this.clockNs = Objects.requireNonNull(clockNs, "clockNs");
        int queues = inner.queueCount();
        receiveLanes = new ReceiveLane[queues];
        transmitLanes = new TransmitLane[queues];
        transmitPools = new BufferPool[queues];
        receiveCounts = new CounterCells(queues, EVENTS.length);
        transmitCounts = new CounterCells(queues, EVENTS.length);
        waitHandles = new WaitHandle[queues];
        SplittableRandom seeds = new SplittableRandom(seed);
        long startNs = clockNs.getAsLong();
        int frameBytes = inner.maxFrameBytes();
        for (int q = 0; q < queues; q++) {
            // Split in a fixed order whether or not a lane exists, so one direction's setting
            // never changes the other direction's random stream.
            SplittableRandom receiveRandom = seeds.split();
            SplittableRandom transmitRandom = seeds.split();
            if (!receive.isNone()) {
                receiveLanes[q] = new ReceiveLane(q, receive, receiveRandom, receiveCounts, startNs, frameBytes);
            }
            if (!transmit.isNone()) {
                transmitPools[q] = new BufferPool(
                        arena.allocate(FrameBatch.MAX_FRAMES * 2 * BufferPool.stride(frameBytes), BufferPool.ALIGNMENT_BYTES),
                        FrameBatch.MAX_FRAMES * 2, frameBytes);
                transmitLanes[q] = new TransmitLane(q, transmit, transmitRandom, transmitCounts, startNs, frameBytes);
            }
            waitHandles[q] = new DeadlineWaitHandle(q);
        }
    }

    /** The device this one wraps. */
    public NetDevice inner() {
        return inner;
    }

    public Impairment impairment(Direction direction) {
        return direction == Direction.RECEIVE ? receiveImpairment : transmitImpairment;
    }

    /** How many frames met {@code event} going {@code direction}, all queues. Any thread. */
    public long count(Direction direction, Event event) {
        return (direction == Direction.RECEIVE ? receiveCounts : transmitCounts).sum(event.ordinal());
    }

    @Override
    public WaitHandle waitHandle(int queue) {
        return waitHandles[checkQueue(queue)];
    }

    @Override
    public long wakeupDeadlineNs(int queue) {
        long deadline = inner.wakeupDeadlineNs(checkQueue(queue));
        if (receiveLanes[queue] != null) {
            deadline = Math.min(deadline, receiveLanes[queue].nextDeadlineNs());
        }
        if (transmitLanes[queue] != null) {
            deadline = Math.min(deadline, transmitLanes[queue].nextDeadlineNs());
        }
        return deadline;
    }

    @Override
    public int receive(int queue, FrameBatch batch) {
        checkOpen();
        checkQueue(queue);
        long nowNs = clockNs.getAsLong();
        TransmitLane transmitLane = transmitLanes[queue];
        if (transmitLane != null) {
            transmitLane.startCall(nowNs);
            transmitLane.releaseDue();
            transmitLane.finishCall();
        }
        ReceiveLane lane = receiveLanes[queue];
        if (lane == null) {
            return inner.receive(queue, batch);
        }
        batch.clear();
        lane.startCall(nowNs, batch);
        lane.releaseDue();
        int room = batch.remaining();
        if (room > 0) {
            FrameBatch arrived = lane.arrivals(room);
            int n = inner.receive(queue, arrived);
            for (int i = 0; i < n; i++) {
                lane.arrive(arrived, i);
            }
        }
        return batch.count();
    }

    @Override
    public int lend(int queue, FrameBatch batch, int frames) {
        checkOpen();
        checkQueue(queue);
        BufferPool pool = transmitPools[queue];
        return pool == null ? inner.lend(queue, batch, frames) : pool.lend(batch, frames);
    }

    @Override
    public int transmit(int queue, FrameBatch batch) {
        checkOpen();
        checkQueue(queue);
        TransmitLane lane = transmitLanes[queue];
        if (lane == null) {
            return inner.transmit(queue, batch);
        }
        BufferPool pool = transmitPools[queue];
        int count = batch.count();
        for (int i = 0; i < count; i++) {
            if (!pool.isLent(batch.bufferId(i)) || batch.segment(i) != pool.buffer((int) batch.bufferId(i))) {
                throw new IllegalArgumentException("frame " + i + " of the batch is not in a buffer that "
                        + name() + " queue " + queue + " lent");
            }
        }
        lane.startCall(clockNs.getAsLong());
        lane.releaseDue();
        for (int i = 0; i < count; i++) {
            if (batch.length(i) != 0) {
                lane.arrive(batch, i);
            }
            pool.giveBack(batch.bufferId(i));
        }
        batch.clear();
        return lane.finishCall();
    }

    /** Closes the inner device and frees the held frames. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            inner.close();
        } finally {
            arena.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("device " + name() + " (impaired) is closed");
        }
    }

    private int checkQueue(int queue) {
        if (queue < 0 || queue >= receiveLanes.length) {
            throw new IllegalArgumentException("device " + name() + " has queues 0 to " + (receiveLanes.length - 1) + ": " + queue);
        }
        return queue;
    }

    @Override
    public String toString() {
        return "ImpairedDevice[" + inner + ", receive " + receiveImpairment + ", transmit " + transmitImpairment + "]";
    }

    /** The inner device's wait, cut short when a held frame is due. */
    private final class DeadlineWaitHandle implements WaitHandle {
        private final int queue;

        DeadlineWaitHandle(int queue) {
            this.queue = queue;
        }

        @Override
        public void await(long timeoutNs) {
            long deadline = wakeupDeadlineNs(queue);
            if (deadline != NO_DEADLINE) {
                long leftNs = deadline - clockNs.getAsLong();
                if (leftNs <= 0) {
                    return;
                }
                timeoutNs = Math.min(timeoutNs, leftNs);
            }
            inner.waitHandle(queue).await(timeoutNs);
        }

        @Override
        public void signal() {
            inner.waitHandle(queue).signal();
        }

        @Override
        public int fileDescriptor() {
            return inner.waitHandle(queue).fileDescriptor();
        }
    }

    /**
     * One direction of one queue: the stages of {@link Impairment} in order, with the state they
     * keep between calls. Used by the queue's thread only. Subclasses say where frames go out.
     */
    private abstract class Lane {
        final int queue;
        final Impairment config;
        final SplittableRandom random;
        private final CounterCells counts;
        /** The delay line; null when nothing is ever held. */
        final HeldFrames line;
        // Frames held back for reordering: a buffer each, the frames still to pass, a deadline.
        private final BufferPool asideBuffers;
        private final boolean[] asideHeld;
        private final int[] asideGaps;
        private final long[] asideDeadlinesNs;
        private final int[] asideLengths;
        private final int[] asideFlags;
        private final int[] asideChecksumStarts;
        private final int[] asideChecksumOffsets;
        private final int[] asideSegmentSizes;
        private final int[] asideHeaderLengths;
        private int asideCount;
        /** Reorder buffers shown in place by the last receive, freed at the next call. */
        private final int[] asideShown;
        private int asideShownCount;
        // Token bucket, in bytes times 10^9 so that refills are exact integers.
        private long tokensScaled;
        private long bucketTimeNs;
        private long lastReleaseNs;
        long nowNs;

        Lane(int queue, Impairment config, SplittableRandom random, CounterCells counts, long startNs, int frameBytes) {
            this.queue = queue;
            this.config = config;
            this.random = random;
            this.counts = counts;
            if (config.holdsFrames()) {
                long storageBytes = config.limitBytes() + (FrameBatch.MAX_FRAMES + 1L) * frameBytes;
                line = new HeldFrames(arena.allocate(storageBytes, BufferPool.ALIGNMENT_BYTES),
                        config.limitFrames(), config.limitBytes());
            } else {
                line = null;
            }
            if (config.reorderRate() > 0) {
                asideBuffers = new BufferPool(arena.allocate(REORDER_SLOTS * BufferPool.stride(frameBytes),
                        BufferPool.ALIGNMENT_BYTES), REORDER_SLOTS, frameBytes);
            } else {
                asideBuffers = null;
            }
            asideHeld = new boolean[REORDER_SLOTS];
            asideGaps = new int[REORDER_SLOTS];
            asideDeadlinesNs = new long[REORDER_SLOTS];
            asideLengths = new int[REORDER_SLOTS];
            asideFlags = new int[REORDER_SLOTS];
            asideChecksumStarts = new int[REORDER_SLOTS];
            asideChecksumOffsets = new int[REORDER_SLOTS];
            asideSegmentSizes = new int[REORDER_SLOTS];
            asideHeaderLengths = new int[REORDER_SLOTS];
            asideShown = new int[REORDER_SLOTS];
            tokensScaled = config.rateBurstBytes() * NANOSECONDS_PER_SECOND;
            bucketTimeNs = startNs;
            lastReleaseNs = Long.MIN_VALUE;
        }

        /** Whether the output has no room now (a full receive batch); the frame then waits in the line. */
        abstract boolean outputFull();

        /**
         * Puts a frame out. Returns true if the frame is shown in place, so its memory must stay
         * until the next call; false if it was copied (or dropped).
         */
        abstract boolean show(MemorySegment segment, long offset, int length, int flags, int checksumStart,
                              int checksumOffset, int segmentSize, int headerLength);

        /** Puts the next pending record of the line out; false if the output is full. */
        abstract boolean showFromLine();

        void count(Event event) {
            counts.add(queue, event.ordinal(), 1);
        }

        /** Frees what the previous call showed in place. */
        void freeShown() {
            if (line != null) {
                line.freeDelivered();
            }
            for (int k = 0; k < asideShownCount; k++) {
                asideBuffers.giveBack(asideShown[k]);
            }
            asideShownCount = 0;
        }

        long nextDeadlineNs() {
            long deadline = line == null ? NO_DEADLINE : line.nextReleaseNs();
            if (asideCount > 0) {
                for (int k = 0; k < REORDER_SLOTS; k++) {
                    if (asideHeld[k]) {
                        deadline = Math.min(deadline, asideDeadlinesNs[k]);
                    }
                }
            }
            return deadline;
        }

        /** Lets out what is due: reordered frames whose hold ran out, then the delay line. */
        void releaseDue() {
            if (asideCount > 0) {
                for (int k = 0; k < REORDER_SLOTS; k++) {
                    if (asideHeld[k] && asideDeadlinesNs[k] - nowNs <= 0) {
                        releaseAside(k);
                    }
                }
            }
            if (line != null) {
                while (line.hasPending() && line.nextReleaseNs() - nowNs <= 0) {
                    if (!showFromLine()) {
                        break; // the receive batch is full: the rest leave at the next call
                    }
                }
            }
        }

        /** Stage 1 to 3: loss, corruption, duplication; then on to reordering. */
        void arrive(FrameBatch batch, int i) {
            count(Event.ARRIVED);
            if (config.lossRate() > 0 && random.nextDouble() < config.lossRate()) {
                count(Event.LOST);
                return;
            }
            MemorySegment segment = batch.segment(i);
            long offset = batch.offset(i);
            int length = batch.length(i);
            int flags = batch.flags(i);
            int checksumStart = batch.checksumStart(i);
            int checksumOffset = batch.checksumOffset(i);
            if (config.corruptRate() > 0 && random.nextDouble() < config.corruptRate()) {
                flags = corrupt(segment, offset, length, flags, checksumStart, checksumOffset);
                count(Event.CORRUPTED);
            }
            boolean twice = config.duplicateRate() > 0 && random.nextDouble() < config.duplicateRate();
            reorderStage(segment, offset, length, flags, checksumStart, checksumOffset,
                    batch.segmentSize(i), batch.headerLength(i));
            if (twice) {
                count(Event.DUPLICATED);
                reorderStage(segment, offset, length, flags, checksumStart, checksumOffset,
                        batch.segmentSize(i), batch.headerLength(i));
            }
        }

        /**
         * Flips one random bit. A partial checksum is completed first and the checksum flags are
         * cleared: a damaged frame must reach the receiver's verification, as after a real wire,
         * instead of being accepted as memory-intact.
         */
        private int corrupt(MemorySegment segment, long offset, int length, int flags, int checksumStart, int checksumOffset) {
            if ((flags & FrameBatch.CHECKSUM_PARTIAL) != 0
                    && checksumStart >= 0 && checksumOffset >= 0 && (long) checksumStart + checksumOffset + 2 <= length) {
                FrameChecksums.completePartial(segment, offset, length, checksumStart, checksumOffset);
            }
            long bit = random.nextLong((long) length * Byte.SIZE);
            long at = offset + bit / Byte.SIZE;
            byte value = segment.get(ValueLayout.JAVA_BYTE, at);
            segment.set(ValueLayout.JAVA_BYTE, at, (byte) (value ^ (0x80 >>> (bit % Byte.SIZE))));
            return flags & ~(FrameBatch.CHECKSUM_PARTIAL | FrameBatch.CHECKSUM_VERIFIED);
        }

        /** Stage 4: maybe hold the frame back; frames that pass count down the held frames' gaps. */
        private void reorderStage(MemorySegment segment, long offset, int length, int flags, int checksumStart,
                                  int checksumOffset, int segmentSize, int headerLength) {
            if (config.reorderRate() > 0 && random.nextDouble() < config.reorderRate()) {
                int k = asideBuffers.take();
                if (k >= 0) {
                    MemorySegment.copy(segment, offset, asideBuffers.buffer(k), 0, length);
                    asideHeld[k] = true;
                    asideGaps[k] = config.reorderGapFrames();
                    asideDeadlinesNs[k] = nowNs + config.reorderHoldNs();
                    asideLengths[k] = length;
                    asideFlags[k] = flags;
                    asideChecksumStarts[k] = checksumStart;
                    asideChecksumOffsets[k] = checksumOffset;
                    asideSegmentSizes[k] = segmentSize;
                    asideHeaderLengths[k] = headerLength;
                    asideCount++;
                    count(Event.REORDERED);
                    return;
                }
            }
            delayStage(segment, offset, length, flags, checksumStart, checksumOffset, segmentSize, headerLength);
            if (asideCount > 0) {
                for (int k = 0; k < REORDER_SLOTS; k++) {
                    if (asideHeld[k] && --asideGaps[k] == 0) {
                        releaseAside(k);
                    }
                }
            }
        }

        /** A held-back frame rejoins at the delay stage, behind the frames that overtook it. */
        private void releaseAside(int k) {
            asideHeld[k] = false;
            asideCount--;
            boolean shownInPlace = delayStage(asideBuffers.buffer(k), 0, asideLengths[k], asideFlags[k],
                    asideChecksumStarts[k], asideChecksumOffsets[k], asideSegmentSizes[k], asideHeaderLengths[k]);
            if (shownInPlace) {
                asideShown[asideShownCount++] = k;
            } else {
                asideBuffers.giveBack(k);
            }
        }

        /**
         * Stages 5 and 6: delay with jitter, then the token bucket. Returns true if the frame went
         * out in place at once.
         */
        private boolean delayStage(MemorySegment segment, long offset, int length, int flags, int checksumStart,
                                   int checksumOffset, int segmentSize, int headerLength) {
            boolean lineBusy = line != null && line.hasPending();
            if (!config.shapes() && !lineBusy) {
                return emit(segment, offset, length, flags, checksumStart, checksumOffset, segmentSize, headerLength);
            }
            long savedTokens = tokensScaled;
            long savedBucketTimeNs = bucketTimeNs;
            long savedLastReleaseNs = lastReleaseNs;
            long releaseNs = nowNs;
            if (config.shapes()) {
                long readyNs = nowNs + config.delayNs();
                if (config.jitterNs() > 0) {
                    readyNs += random.nextLong(-config.jitterNs(), config.jitterNs() + 1);
                }
                readyNs = Math.max(Math.max(readyNs, nowNs), lastReleaseNs);
                releaseNs = config.rateBytesPerSecond() > 0 ? departureNs(readyNs, length) : readyNs;
                lastReleaseNs = releaseNs;
            }
            if (releaseNs - nowNs <= 0 && !lineBusy) {
                return emit(segment, offset, length, flags, checksumStart, checksumOffset, segmentSize, headerLength);
            }
            if (line.push(segment, offset, length, flags, checksumStart, checksumOffset, segmentSize, headerLength, releaseNs)) {
                count(Event.DELAYED);
            } else {
                tokensScaled = savedTokens;
                bucketTimeNs = savedBucketTimeNs;
                lastReleaseNs = savedLastReleaseNs;
                count(Event.OVERFLOWED);
            }
            return false;
        }

        /**
         * When a frame of {@code length} bytes ready at {@code readyNs} leaves the token bucket: as
         * soon as the bucket holds its length (or is full, for a frame longer than the bucket).
         * The frame then takes its length out, possibly leaving the bucket in debt, so the
         * long-run rate is exactly the configured one.
         */
        private long departureNs(long readyNs, int length) {
            long rate = config.rateBytesPerSecond();
            long burstScaled = config.rateBurstBytes() * NANOSECONDS_PER_SECOND;
            if (readyNs > bucketTimeNs) {
                long room = burstScaled - tokensScaled;
                if (room > 0) {
                    long elapsedNs = readyNs - bucketTimeNs;
                    tokensScaled = elapsedNs >= ceilDiv(room, rate) ? burstScaled : tokensScaled + elapsedNs * rate;
                }
                bucketTimeNs = readyNs;
            }
            long departNs = bucketTimeNs;
            long needScaled = Math.min(length, config.rateBurstBytes()) * NANOSECONDS_PER_SECOND;
            if (tokensScaled < needScaled) {
                long waitNs = ceilDiv(needScaled - tokensScaled, rate);
                departNs += waitNs;
                tokensScaled += waitNs * rate;
                bucketTimeNs = departNs;
            }
            tokensScaled -= length * NANOSECONDS_PER_SECOND;
            return departNs;
        }

        /** Out now if there is room, else into the line to leave as soon as there is. */
        private boolean emit(MemorySegment segment, long offset, int length, int flags, int checksumStart,
                             int checksumOffset, int segmentSize, int headerLength) {
            if (outputFull()) {
                if (line != null && line.push(segment, offset, length, flags, checksumStart, checksumOffset,
                        segmentSize, headerLength, nowNs)) {
                    count(Event.DELAYED);
                } else {
                    count(Event.OVERFLOWED);
                }
                return false;
            }
            return show(segment, offset, length, flags, checksumStart, checksumOffset, segmentSize, headerLength);
        }
    }

    private static long ceilDiv(long dividend, long divisor) {
        return -Math.floorDiv(-dividend, divisor);
    }

    /** Received frames: shown to the engine in the batch it passed to {@link #receive}. */
    private final class ReceiveLane extends Lane {
        private final FrameBatch arrivals = new FrameBatch();
        private FrameBatch out;

        ReceiveLane(int queue, Impairment config, SplittableRandom random, CounterCells counts, long startNs, int frameBytes) {
            super(queue, config, random, counts, startNs, frameBytes);
        }

        void startCall(long now, FrameBatch output) {
            nowNs = now;
            out = output;
            freeShown();
        }

        /** The batch for the inner receive, limited to {@code room} frames so that what arrives fits the output. */
        FrameBatch arrivals(int room) {
            arrivals.clear();
            return arrivals.limit(room);
        }

        @Override
        boolean outputFull() {
            return out.remaining() == 0;
        }

        @Override
        boolean show(MemorySegment segment, long offset, int length, int flags, int checksumStart,
                     int checksumOffset, int segmentSize, int headerLength) {
            int i = out.add(segment, offset, length, length, FrameBatch.NO_BUFFER_ID);
            out.metadata(i, flags, checksumStart, checksumOffset, segmentSize, headerLength);
            count(Event.PASSED);
            return true;
        }

        @Override
        boolean showFromLine() {
            if (outputFull()) {
                return false;
            }
            int slot = line.next();
            int i = out.add(line.storage(), line.dataOffset(slot), line.length(slot), line.length(slot),
                    FrameBatch.NO_BUFFER_ID);
            out.metadata(i, line.flags(slot), line.checksumStart(slot), line.checksumOffset(slot),
                    line.segmentSize(slot), line.headerLength(slot));
            line.deliver();
            count(Event.PASSED);
            return true;
        }
    }

    /** Transmitted frames: copied into buffers the inner device lends, sent at the end of the call. */
    private final class TransmitLane extends Lane {
        private final FrameBatch out = new FrameBatch();
        private int accepted;

        TransmitLane(int queue, Impairment config, SplittableRandom random, CounterCells counts, long startNs, int frameBytes) {
            super(queue, config, random, counts, startNs, frameBytes);
        }

        void startCall(long now) {
            nowNs = now;
            accepted = 0;
        }

        /** Sends what the call put out; returns the frames the inner device accepted in this call. */
        int finishCall() {
            flush();
            return accepted;
        }

        private void flush() {
            if (out.count() > 0) {
                accepted += inner.transmit(queue, out);
            }
        }

        @Override
        boolean outputFull() {
            return false;
        }

        @Override
        boolean show(MemorySegment segment, long offset, int length, int flags, int checksumStart,
                     int checksumOffset, int segmentSize, int headerLength) {
            if (out.remaining() == 0) {
                flush();
            }
            if (inner.lend(queue, out, 1) == 0) {
                flush();
                if (inner.lend(queue, out, 1) == 0) {
                    count(Event.NO_BUFFER);
                    return false;
                }
            }
            int i = out.count() - 1;
            if (length > out.bufferLength(i)) {
                count(Event.NO_BUFFER);
                return false; // left at length 0: transmit hands the buffer back unsent
            }
            MemorySegment.copy(segment, offset, out.segment(i), out.offset(i), length);
            out.length(i, length);
            out.metadata(i, flags, checksumStart, checksumOffset, segmentSize, headerLength);
            count(Event.PASSED);
            return false;
        }

        @Override
        boolean showFromLine() {
            int slot = line.next();
            show(line.storage(), line.dataOffset(slot), line.length(slot), line.flags(slot), line.checksumStart(slot),
                    line.checksumOffset(slot), line.segmentSize(slot), line.headerLength(slot));
            line.deliverAndFree();
            return true;
        }
    }
}
