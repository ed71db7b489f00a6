package io.mtcp4j.stack.device;

import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.MacAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * In-process devices, where frames never leave the JVM: a <b>loopback</b> device, whose
 * transmitted frames it receives itself (a stack talking to itself over IPv4 and IPv6), and a
 * <b>linked pair</b>, two devices wired back to back, so that what one transmits the other
 * receives (two stacks in one process, the in-memory link of the tests and benchmarks).
 *
 * <h2>How frames move</h2>
 * Each receive queue is a bounded ring of preallocated frame slots ({@link FrameRing}). Transmit
 * copies each frame once, from the buffer the device lent into a slot of the receiving device's
 * queue; receive lends the slots to the engine in place. The receiving queue is chosen by
 * {@link RssSteering} with the symmetric Toeplitz key, so both directions of a TCP connection
 * land on the same queue number, and {@link #steering()} tells an engine which queue a 4-tuple
 * lands on. The rings take frames from any number of transmitting threads, so every queue of one
 * end may send to every queue of the other. When a ring is full the frame is dropped and counted
 * as {@link DeviceDrop#QUEUE_FULL} by the sending queue; nothing blocks.
 *
 * <h2>Offloads</h2>
 * With {@link Options#checksumOffload()} (the default, as Linux's {@code lo} and {@code veth})
 * the device offers {@link Offload#TX_CHECKSUM} and {@link Offload#RX_CHECKSUM}: a frame sent
 * with {@link FrameBatch#CHECKSUM_PARTIAL} arrives with that flag and its checksum unfilled, and
 * the receiver accepts it without summing, since memory does not corrupt frames (put an
 * {@link ImpairedDevice} in between for that). With {@link Options#tso()} super-frames of up to
 * 64 KiB pass whole, keeping their segmentation flag and size, as a TSO sender and a GRO receiver
 * would see them; both ends of a link must agree on these settings and the MTU.
 *
 * <h2>Memory</h2>
 * Off-heap, allocated at creation: per queue, {@link Options#queueDepth()} ring slots and
 * {@link Options#transmitBuffers()} transmit buffers of {@link #maxFrameBytes()} each (rounded
 * up to 64 bytes). A linked pair's memory is freed when both ends are closed, so one end closing
 * never pulls memory from under the other end's sending thread.
 */
public final class LoopDevice implements NetDevice {
    /** The MAC address of a loopback device and of a link's first end; the second end gets the next. */
    public static final long DEFAULT_MAC = 0x02_00_00_00_00_01L;
    /** Ethernet header with one VLAN tag: what a frame adds to the MTU. */
    private static final int FRAME_OVERHEAD_BYTES = EthernetFlyweight.TAGGED_HEADER_LENGTH;
    /** The largest IP packet (IPv4 total length, IPv6 payload plus header near enough): 64 KiB. */
    private static final int MAXIMUM_PACKET_BYTES = 65_535;

    /**
     * A loop device's settings.
     *
     * @param name            the device's name
     * @param queues          queue pairs, 1 to {@value NetDevice#MAX_QUEUES}
     * @param mtu             largest IP packet per frame, 68 to 65535
     * @param macAddress      low 48 bits
     * @param queueDepth      frames each receive queue holds, a power of two from 2 to 65536
     * @param checksumOffload offer {@link Offload#TX_CHECKSUM} and {@link Offload#RX_CHECKSUM}
     * @param tso             offer {@link Offload#TSO} and {@link Offload#LARGE_RECEIVE}; needs
     *                        checksum offload, as in Linux
     * @param transmitBuffers buffers each transmit queue can lend at once, at least 1
     */
    public record Options(String name, int queues, int mtu, long macAddress, int queueDepth,
                          boolean checksumOffload, boolean tso, int transmitBuffers) {
        public static final int DEFAULT_MTU = 1500;
        public static final int DEFAULT_QUEUE_DEPTH = 1024;
        public static final int DEFAULT_TRANSMIT_BUFFERS = 2 * FrameBatch.MAX_FRAMES;
        public static final int MINIMUM_MTU = 68;

        public Options {
            Objects.requireNonNull(name, "name");
            if (queues < 1 || queues > MAX_QUEUES) {
                throw new IllegalArgumentException("queues must be 1 to " + MAX_QUEUES + ": " + queues);
            }
            if (mtu < MINIMUM_MTU || mtu > MAXIMUM_PACKET_BYTES) {
                throw new IllegalArgumentException("mtu must be " + MINIMUM_MTU + " to " + MAXIMUM_PACKET_BYTES + ": " + mtu);
            }
            if (!MacAddress.isValid(macAddress)) {
                throw new IllegalArgumentException("not a 48-bit MAC address: 0x" + Long.toHexString(macAddress));
            }
            if (queueDepth < 2 || queueDepth > 65_536 || Integer.bitCount(queueDepth) != 1) {
                throw new IllegalArgumentException("queueDepth must be a power of two from 2 to 65536: " + queueDepth);
            }
            if (tso && !checksumOffload) {
                throw new IllegalArgumentException("tso needs checksumOffload: a super-frame's checksums are filled per segment");
            }
            if (transmitBuffers < 1) {
                throw new IllegalArgumentException("transmitBuffers must be positive: " + transmitBuffers);
            }
        }

        /** One queue, MTU 1500, 1024 frames per queue, checksum offload, no TSO. */
        public static Options defaults(String name) {
            return new Options(name, 1, DEFAULT_MTU, DEFAULT_MAC, DEFAULT_QUEUE_DEPTH, true, false,
                    DEFAULT_TRANSMIT_BUFFERS);
        }

        public Options withName(String newName) {
            return new Options(newName, queues, mtu, macAddress, queueDepth, checksumOffload, tso, transmitBuffers);
        }

        public Options withQueues(int newQueues) {
            return new Options(name, newQueues, mtu, macAddress, queueDepth, checksumOffload, tso, transmitBuffers);
        }

        public Options withMtu(int newMtu) {
            return new Options(name, queues, newMtu, macAddress, queueDepth, checksumOffload, tso, transmitBuffers);
        }

        public Options withMacAddress(long newMac) {
            return new Options(name, queues, mtu, newMac, queueDepth, checksumOffload, tso, transmitBuffers);
        }

        public Options withQueueDepth(int newDepth) {
            return new Options(name, queues, mtu, macAddress, newDepth, checksumOffload, tso, transmitBuffers);
        }

        public Options withOffloads(boolean newChecksumOffload, boolean newTso) {
            return new Options(name, queues, mtu, macAddress, queueDepth, newChecksumOffload, newTso, transmitBuffers);
        }

        public Options withTransmitBuffers(int newTransmitBuffers) {
            return new Options(name, queues, mtu, macAddress, queueDepth, checksumOffload, tso, newTransmitBuffers);
        }

        /** The largest frame: a 64 KiB super-frame with TSO, else the MTU plus a tagged Ethernet header. */
        public int maxFrameBytes() {
            return (tso ? MAXIMUM_PACKET_BYTES : mtu) + FRAME_OVERHEAD_BYTES;
        }
    }

    /** Both ends of a linked pair; closing it closes both. */
    public record Pair(LoopDevice a, LoopDevice b) implements AutoCloseable {
        @Override
        public void close() {
            try {
                a.close();
            } finally {
                b.close();
            }
        }
    }

    /** Links created by name through {@link #attach}, until both their ends are closed. */
    private static final Map<String, Link> NAMED_LINKS = new HashMap<>();

    private final Link link;
    private final Options options;
    private final Set<Offload> offloads;
    private final FrameRing[] receiveRings;
    private final BufferPool[] transmitPools;
    private final RssSteering steering;
    private final DeviceCounters counters;
    private volatile boolean closed;

    private LoopDevice(Link link, Options options) {
        this.link = link;
        this.options = options;
        EnumSet<Offload> offered = EnumSet.noneOf(Offload.class);
        if (options.checksumOffload()) {
            offered.add(Offload.RX_CHECKSUM);
            offered.add(Offload.TX_CHECKSUM);
        }
        if (options.tso()) {
            offered.add(Offload.TSO);
            offered.add(Offload.LARGE_RECEIVE);
        }
        this.offloads = Collections.unmodifiableSet(offered);
        int frameBytes = options.maxFrameBytes();
        long stride = BufferPool.stride(frameBytes);
        receiveRings = new FrameRing[options.queues()];
        transmitPools = new BufferPool[options.queues()];
        for (int q = 0; q < options.queues(); q++) {
            receiveRings[q] = new FrameRing(
                    link.arena.allocate(options.queueDepth() * stride, BufferPool.ALIGNMENT_BYTES),
                    options.queueDepth(), frameBytes);
            transmitPools[q] = new BufferPool(
                    link.arena.allocate(options.transmitBuffers() * stride, BufferPool.ALIGNMENT_BYTES),
                    options.transmitBuffers(), frameBytes);
        }
        steering = RssSteering.symmetric(options.queues());
        counters = new DeviceCounters(options.queues());
    }

    /** A loopback device: every frame it transmits, it receives (steered to a queue by flow). */
    public static LoopDevice loopback(Options options) {
        Link link = new Link(null, true);
        LoopDevice device = new LoopDevice(link, options);
        link.attach(device);
        return device;
    }

    /**
     * Two devices wired back to back, both with {@code options} except the name ({@code -a} and
     * {@code -b} appended) and the MAC address (end b has the next one).
     */
    public static Pair pair(Options options) {
        Link link = new Link(null, false);
        LoopDevice a = new LoopDevice(link, options.withName(options.name() + "-a"));
        LoopDevice b = new LoopDevice(link, options.withName(options.name() + "-b")
                .withMacAddress((options.macAddress() + 1) & MacAddress.BROADCAST));
        link.attach(a);
        link.attach(b);
        return new Pair(a, b);
    }

    /**
     * One end of the link called {@code linkName}, shared by everything in this JVM (the first
     * call creates the link, the second attaches the other end), so that two stacks configured
     * separately find each other. Until the second end attaches, the first end's frames are
     * dropped as {@link DeviceDrop#NO_PEER}. If the second end asks for the first end's MAC
     * address it gets the next one instead. The name is free again when both ends are closed.
     *
     * @throws IllegalArgumentException if the link already has two ends, or the ends disagree on
     *                                  MTU or offloads
     */
    public static LoopDevice attach(String linkName, Options options) {
        return attach(linkName, options, false);
    }

    /** As {@link #attach(String, Options)}; with {@code nameByEnd} the ends are called link-a and link-b. */
    static LoopDevice attach(String linkName, Options options, boolean nameByEnd) {
        Objects.requireNonNull(linkName, "linkName");
        synchronized (NAMED_LINKS) {
            Link link = NAMED_LINKS.get(linkName);
            if (link == null) {
                link = new Link(linkName, false);
                LoopDevice first = new LoopDevice(link, nameByEnd ? options.withName(linkName + "-a") : options);
                link.attach(first);
                NAMED_LINKS.put(linkName, link);
                return first;
            }
            LoopDevice first = link.first;
            if (link.second != null) {
                throw new IllegalArgumentException("loop link '" + linkName + "' already has two ends ("
                        + first.name() + ", " + link.second.name() + "); close them before reusing the name");
            }
            Options firstOptions = first.options;
            if (firstOptions.mtu() != options.mtu() || firstOptions.checksumOffload() != options.checksumOffload()
                    || firstOptions.tso() != options.tso()) {
                throw new IllegalArgumentException("loop link '" + linkName + "': both ends need the same mtu, "
                        + "checksum offload and tso; first end " + firstOptions + ", second end " + options);
            }
            if (options.macAddress() == firstOptions.macAddress()) {
                options = options.withMacAddress((options.macAddress() + 1) & MacAddress.BROADCAST);
            }
            LoopDevice second = new LoopDevice(link, nameByEnd ? options.withName(linkName + "-b") : options);
            link.attach(second);
            return second;
        }
    }

    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return options.name();
    }

    @Override
    public int queueCount() {
        return options.queues();
    }

    @Override
    public int mtu() {
        return options.mtu();
    }

    @Override
    public int maxFrameBytes() {
        return options.maxFrameBytes();
    }

    @Override
    public long macAddress() {
        return options.macAddress();
    }

    @Override
    public Set<Offload> offloads() {
        return offloads;
    }

    /** Whether this is a loopback device (it receives its own frames) rather than a link end. */
    public boolean isLoopback() {
        return link.loopback;
    }

    /** The device this one's frames arrive at: itself for loopback, the other end for a link (null if absent). */
    public LoopDevice peer() {
        return link.peerOf(this);
    }

    @Override
    public int receive(int queue, FrameBatch batch) {
        checkOpen();
        FrameRing ring = receiveRings[checkQueue(queue)];
        batch.clear();
        int n = ring.receive(batch);
        if (n > 0) {
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                bytes += batch.length(i);
            }
            counters.received(queue, n, bytes);
        }
        return n;
    }

    @Override
    public int lend(int queue, FrameBatch batch, int frames) {
        checkOpen();
        return transmitPools[checkQueue(queue)].lend(batch, frames);
    }

    @Override
    public int transmit(int queue, FrameBatch batch) {
        checkOpen();
        BufferPool pool = transmitPools[checkQueue(queue)];
        int count = batch.count();
        for (int i = 0; i < count; i++) {
            if (!pool.isLent(batch.bufferId(i)) || batch.segment(i) != pool.buffer((int) batch.bufferId(i))) {
                throw new IllegalArgumentException("frame " + i + " of the batch is not in a buffer that "
                        + name() + " queue " + queue + " lent");
            }
        }
        LoopDevice peer = link.peerOf(this);
        boolean peerPresent = peer != null && !peer.closed;
        long touchedQueues = 0;
        int sent = 0;
        long sentBytes = 0;
        for (int i = 0; i < count; i++) {
            int length = batch.length(i);
            if (length != 0) {
                DeviceDrop problem = check(batch, i, length);
                if (problem == null && !peerPresent) {
                    problem = DeviceDrop.NO_PEER;
                }
                if (problem == null) {
                    MemorySegment frame = batch.segment(i);
                    long offset = batch.offset(i);
                    int target = peer.steering.queueOfFrame(frame, offset, length);
                    if (peer.receiveRings[target].offer(frame, offset, length,
                            batch.flags(i) & FrameBatch.TRANSMIT_FLAGS, batch.checksumStart(i),
                            batch.checksumOffset(i), batch.segmentSize(i), batch.headerLength(i))) {
                        sent++;
                        sentBytes += length;
                        touchedQueues |= 1L << target;
                    } else {
                        problem = DeviceDrop.QUEUE_FULL;
                    }
                }
                if (problem != null) {
                    counters.dropped(queue, problem, 1);
                }
            }
            pool.giveBack(batch.bufferId(i));
        }
        batch.clear();
        if (sent > 0) {
            counters.transmitted(queue, sent, sentBytes);
        }
        while (touchedQueues != 0) {
            int target = Long.numberOfTrailingZeros(touchedQueues);
            peer.receiveRings[target].wakeConsumer();
            touchedQueues &= touchedQueues - 1;
        }
        return sent;
    }

    /** Why frame {@code i} cannot be sent, or null if it can. */
    private DeviceDrop check(FrameBatch batch, int i, int length) {
        if (length < EthernetFlyweight.HEADER_LENGTH) {
            return DeviceDrop.FRAME_TOO_SHORT;
        }
        int frameFlags = batch.flags(i);
        if ((frameFlags & FrameBatch.SEGMENT_MASK) != 0) {
            if (!options.tso()) {
                return DeviceDrop.OFFLOAD_NOT_ENABLED;
            }
            if (batch.segmentSize(i) < 1 || batch.headerLength(i) >= length) {
                return DeviceDrop.INVALID_OFFLOAD_REQUEST;
            }
            if (length > options.maxFrameBytes()) {
                return DeviceDrop.FRAME_TOO_LONG;
            }
        } else if (length > options.mtu() + FRAME_OVERHEAD_BYTES) {
            return DeviceDrop.FRAME_TOO_LONG;
        }
        if ((frameFlags & FrameBatch.CHECKSUM_PARTIAL) != 0) {
            if (!options.checksumOffload()) {
                return DeviceDrop.OFFLOAD_NOT_ENABLED;
            }
            if ((long) batch.checksumStart(i) + batch.checksumOffset(i) + 2 > length) {
                return DeviceDrop.INVALID_OFFLOAD_REQUEST;
            }
        }
        return null;
    }

    @Override
    public WaitHandle waitHandle(int queue) {
        return receiveRings[checkQueue(queue)].waitHandle();
    }

    /** Symmetric Toeplitz RSS over this device's receive queues. */
    @Override
    public RssSteering steering() {
        return steering;
    }

    @Override
    public DeviceCounters counters() {
        return counters;
    }

    /** Frames waiting on {@code queue}, approximately (for tests and monitoring). Any thread. */
    public long backlog(int queue) {
        return receiveRings[checkQueue(queue)].backlogEstimate();
    }

    /**
     * Closes this device: later calls on it throw, frames sent to it are dropped by the sender as
     * {@link DeviceDrop#NO_PEER}, and an engine parked on its wait handles wakes. The memory goes
     * when every end of the link is closed. Closing twice does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (FrameRing ring : receiveRings) {
            ring.waitHandle().signal();
        }
        link.endClosed(this);
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("device " + name() + " is closed");
        }
    }

    private int checkQueue(int queue) {
        if (queue < 0 || queue >= receiveRings.length) {
            throw new IllegalArgumentException("device " + name() + " has queues 0 to " + (receiveRings.length - 1) + ": " + queue);
        }
        return queue;
    }

    @Override
    public String toString() {
        return "LoopDevice[" + name() + (link.loopback ? ", loopback" : ", link") + ", " + options.queues() + " queues, mtu "
                + options.mtu() + ", " + MacAddress.format(options.macAddress()) + ", offloads " + offloads + "]";
    }

    /** The wire: who sends to whom, and the memory of both ends. */
    private static final class Link {
        final String name;
        final boolean loopback;
        final Arena arena = Arena.ofShared();
        volatile LoopDevice first;
        volatile LoopDevice second;
        private int openEnds;

        Link(String name, boolean loopback) {
            this.name = name;
            this.loopback = loopback;
        }

        synchronized void attach(LoopDevice device) {
            if (first == null) {
                first = device;
            } else {
                second = device;
            }
            openEnds++;
        }

        LoopDevice peerOf(LoopDevice device) {
            if (loopback) {
                return device;
            }
            return device == first ? second : first;
        }

        /**
         * Frees the memory when the last end closes. Under the registry's lock, so that an
         * {@link #attach} cannot find this link between the last close and its removal.
         */
        void endClosed(LoopDevice device) {
            synchronized (NAMED_LINKS) {
                synchronized (this) {
                    openEnds--;
                    if (openEnds > 0) {
                        return;
                    }
                }
                if (name != null) {
                    NAMED_LINKS.remove(name, this);
                }
                arena.close();
            }
        }
    }
}
