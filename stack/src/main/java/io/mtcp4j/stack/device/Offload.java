package io.mtcp4j.stack.device;

/**
 * Work a device does on the engine's behalf. A device reports the set it offers through
 * {@link NetDevice#offloads()}; the engine may use an offload only when it is in that set, and a
 * frame that asks for one the device does not offer is dropped as
 * {@link DeviceDrop#OFFLOAD_NOT_ENABLED}.
 *
 * <p>The per-frame requests and results travel as {@link FrameBatch} flags, modelled on Linux's
 * {@code virtio_net_hdr} (which a TAP device reads and writes in front of every frame), so that a
 * TAP driver maps them one to one: {@link FrameBatch#CHECKSUM_PARTIAL} is
 * {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}, {@link FrameBatch#SEGMENT_TCP_IPV4} and
 * {@link FrameBatch#SEGMENT_TCP_IPV6} are {@code VIRTIO_NET_HDR_GSO_TCPV4/TCPV6}.
 */
public enum Offload {
    /**
     * Received frames may carry {@link FrameBatch#CHECKSUM_VERIFIED} (the device checked the IP and
     * transport checksums and they were right) or {@link FrameBatch#CHECKSUM_PARTIAL} (the frame
     * never crossed a wire, so its data is known intact and its checksum field holds only the
     * pseudo-header sum). Either way the engine skips its own verification for that frame. Without
     * this offload every received frame has neither flag and the engine verifies every checksum.
     */
    RX_CHECKSUM,
    /**
     * The device fills transport checksums: a frame sent with {@link FrameBatch#CHECKSUM_PARTIAL}
     * holds the folded, non-complemented pseudo-header sum in its checksum field, and the device
     * sums the bytes from the checksum start to the end of the frame into it.
     */
    TX_CHECKSUM,
    /**
     * TCP segmentation offload: the device accepts super-frames up to {@link NetDevice#maxFrameBytes()}
     * (an IP packet of up to 64 KiB) marked {@link FrameBatch#SEGMENT_TCP_IPV4} or
     * {@link FrameBatch#SEGMENT_TCP_IPV6} with a segment size, and cuts them into wire segments of
     * that many payload bytes, each with its own headers. As in Linux, a super-frame also asks for
     * {@link #TX_CHECKSUM} with {@link FrameBatch#CHECKSUM_PARTIAL}, its pseudo-header sum computed
     * over the whole TCP length.
     */
    TSO,
    /**
     * Large receive (GRO/LRO): the device may deliver several TCP segments of one flow merged into
     * one frame of up to {@link NetDevice#maxFrameBytes()}, marked with a segment flag and the
     * original segment size, so receive buffers and the receive path must cope with 64 KiB frames.
     */
    LARGE_RECEIVE
}
