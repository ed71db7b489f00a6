package io.mtcp4j.stack.device;

/**
 * Why a device dropped a frame; each reason has its own counter in {@link DeviceCounters}.
 * Every drop a device makes is counted under exactly one of these (STYLE.md rule 8).
 */
public enum DeviceDrop {
    /**
     * The receiving queue was full. On a linked pair the sending end counts it, as Linux's veth
     * counts a full peer: the sender's thread is the one that saw it, and each queue's counters
     * have one writer.
     */
    QUEUE_FULL,
    /** The other end of a link is not attached yet or is closed: the cable is unplugged. */
    NO_PEER,
    /** Shorter than an Ethernet header (1 to 13 bytes). */
    FRAME_TOO_SHORT,
    /** Longer than the MTU allows (or than a super-frame may be, with TSO). */
    FRAME_TOO_LONG,
    /** The frame asked for an offload ({@link Offload}) that the device does not offer. */
    OFFLOAD_NOT_ENABLED,
    /**
     * The frame's offload metadata is impossible: a checksum field outside the frame, a segment
     * size of zero, a header longer than the frame.
     */
    INVALID_OFFLOAD_REQUEST
}
