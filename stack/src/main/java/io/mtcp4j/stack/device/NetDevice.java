package io.mtcp4j.stack.device;

import java.util.Set;

/**
 * A network device as an engine sees it: queues of Ethernet frames moved in batches (mTCP's
 * {@code io_module.h}, smoltcp's {@code phy::Device}). Drivers (TAP, AF_XDP) and in-process
 * devices ({@link LoopDevice}) implement it; middleware devices ({@link ImpairedDevice},
 * {@link CaptureDevice}) wrap any device and implement it again.
 *
 * <h2>Queues and threads</h2>
 * A device has {@link #queueCount()} queue pairs; engine {@code i} owns receive and transmit
 * queue {@code i}, and only that engine's thread calls {@link #receive}, {@link #lend},
 * {@link #transmit} and {@link #wakeupDeadlineNs} for queue {@code i}. Different queues are used by
 * different threads at the same time. The descriptive methods ({@link #name()}, {@link #mtu()},
 * ...) return values fixed at creation and may be called from any thread, as may
 * {@link #counters()} (read side) and {@link WaitHandle#signal()}. {@link #close()} is called
 * once, after the engines have stopped using the device.
 *
 * <h2>Memory ownership</h2>
 * <ul>
 *   <li><b>Receive</b>: {@link #receive} fills a {@link FrameBatch} with views of device memory.
 *       They stay valid until the next {@code receive} on the same queue (through any batch),
 *       and are read-only.</li>
 *   <li><b>Transmit</b>: the engine borrows buffers with {@link #lend}, writes frames into them and
 *       hands them back with {@link #transmit}, which sends the frames of non-zero length and
 *       takes back every buffer in the batch. Buffers are lent per queue; a batch passed to
 *       {@code transmit} must hold only buffers lent by this device for that queue.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * A frame the device cannot send is dropped and counted under a {@link DeviceDrop} reason in
 * {@link #counters()}; nothing on the per-frame path throws for frame content. Calls that break
 * the contract (a queue out of range, a foreign buffer, use after close) throw
 * {@link IllegalArgumentException} or {@link IllegalStateException}: those are engine bugs.
 *
 * <h2>Allocation</h2>
 * {@code receive}, {@code lend} and {@code transmit} allocate nothing: devices preallocate their
 * buffers and keep one segment object per buffer.
 */
public interface NetDevice extends AutoCloseable {
    /** Most queues a device may have (a bit mask of queues fits a {@code long}). */
    int MAX_QUEUES = 64;
    /** {@link #wakeupDeadlineNs} of a queue that needs no call until traffic arrives. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** The device's name, for logs and counters (an interface name for TAP and AF_XDP). */
    String name();

    /** Queue pairs, 1 to {@value #MAX_QUEUES}; queues are numbered from 0. */
    int queueCount();

    /** The largest IP packet sent or received as one frame without TSO, in bytes. */
    int mtu();

    /**
     * The largest frame {@link #transmit} accepts and {@link #receive} delivers, Ethernet header
     * included: with {@link Offload#TSO} or {@link Offload#LARGE_RECEIVE} a 64 KiB super-frame,
     * otherwise the MTU plus an Ethernet header with one VLAN tag. Lent buffers hold at least this.
     */
    int maxFrameBytes();

    /** The device's MAC address in the low 48 bits. */
    long macAddress();

    /** The offloads this device performs; an unmodifiable set. */
    Set<Offload> offloads();

    /** Whether the device performs {@code offload}. */
    default boolean supports(Offload offload) {
        return offloads().contains(offload);
    }

    /**
     * Clears {@code batch} and fills it with up to {@code batch.capacity()} received frames from
     * {@code queue}; never blocks. Returns the number of frames, 0 when none are waiting. The
     * frames of the previous receive on this queue become invalid now.
     */
    int receive(int queue, FrameBatch batch);

    /**
     * Appends up to {@code frames} transmit buffers for {@code queue} to {@code batch}, as many as
     * fit its remaining capacity and the device has free, and returns how many. Each comes with
     * length 0, no flags and at least {@link #maxFrameBytes()} bytes of room. Returns fewer (even
     * 0) when the device is short of buffers, as a zero-copy driver is while the kernel still
     * holds the memory of frames sent earlier.
     */
    int lend(int queue, FrameBatch batch, int frames);

    /**
     * Sends the frames of {@code batch} with a non-zero length on {@code queue}, in order, takes
     * back every buffer in the batch (sent, dropped or left at length 0) and clears the batch.
     * Never blocks. Returns the number of frames the device accepted; the others were dropped and
     * counted in {@link #counters()}.
     *
     * @throws IllegalArgumentException if a buffer in the batch was not lent by this device for
     *                                  {@code queue}
     */
    int transmit(int queue, FrameBatch batch);

    /** What the engine of {@code queue} blocks on when it is idle. */
    WaitHandle waitHandle(int queue);

    /**
     * The latest time (in {@code System.nanoTime()} terms, or the device's injected clock) by
     * which the engine should call {@link #receive} on {@code queue} again even if no frame
     * arrives, or {@link #NO_DEADLINE}. A device that holds frames back (an impairment delay line)
     * releases them from within its calls; an engine caps its idle wait at this deadline.
     */
    default long wakeupDeadlineNs(int queue) {
        return NO_DEADLINE;
    }

    /** How the device spreads received flows over its queues, if it can tell. */
    default ReceiveSteering steering() {
        return ReceiveSteering.UNKNOWN;
    }

    /** This device's traffic and drop counters; readable from any thread. */
    DeviceCounters counters();

    /** Releases the device's memory and file descriptors. Frames still queued are discarded. */
    @Override
    void close();
}
