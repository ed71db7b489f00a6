package io.mtcp4j.driver.tap;

import io.mtcp4j.stack.device.BufferPool;
import io.mtcp4j.stack.device.DeviceCounters;
import io.mtcp4j.stack.device.DeviceDrop;
import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.FrameChecksums;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.Ipv4Flyweight;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One queue of a {@link TapDevice}: a file descriptor attached to one of the device's queues,
 * the frame memory of that queue, and its {@link TapWaitHandle}. Only the engine thread that
 * owns the queue calls {@link #receive} and {@link #transmit}.
 *
 * <h2>Memory</h2>
 * Off-heap, from the device's arena, carved once: {@link FrameBatch#MAX_FRAMES} receive slots
 * and a {@link BufferPool} of transmit buffers, each {@link VirtioNetHeader#LENGTH} bytes of
 * vnet header followed by room for the largest frame. {@code read(2)} and {@code write(2)} move
 * header and frame in one call; the frame that the engine sees starts right after the header.
 * With a 10-byte header the IP header of a frame lands at byte 24 of its slot, 8-byte aligned,
 * which the checksum loop likes.
 *
 * <h2>Receive</h2>
 * Reads until {@code EAGAIN} or the batch's limit, one frame per {@code read}, each into its own
 * slot, so the frames of one receive stay valid together until the next.
 *
 * <h2>Transmit</h2>
 * One {@code write} per frame (a super-frame too, with segmentation), the vnet header filled from
 * the batch's flags just before it. A
 * frame the kernel refuses is counted under a {@link DeviceDrop} reason and the errno kept for
 * diagnostics.
 */
final class TapQueue {
    private static final int HEADER = VirtioNetHeader.LENGTH;
    /** Reads per receive beyond the batch limit, for frames dropped as too short: bounds the loop. */
    private static final int EXTRA_READS = 16;

    private final int index;
    private final int fd;
    private final int eventFd;
    private final String deviceName;
    private final int mtu;
    private final int maxFrameBytes;
    private final boolean receiveChecksumOffload;
    private final boolean transmitChecksumOffload;
    private final boolean segmentation;
    private final DeviceCounters counters;
    private final MemorySegment callState;
    private final MemorySegment[] receiveSlots;
    private final int receiveSlotBytes;
    private final BufferPool transmitPool;
    private final TapWaitHandle waitHandle;
    private int lastReceiveErrno;
    private int lastTransmitErrno;
    private long receiveErrors;

    TapQueue(int index, int fd, int eventFd, String deviceName, int mtu, int maxFrameBytes, boolean receiveChecksumOffload,
             boolean transmitChecksumOffload, boolean segmentation, int transmitBuffers, DeviceCounters counters,
             Arena arena) {
        this.index = index;
        this.fd = fd;
        this.eventFd = eventFd;
        this.deviceName = deviceName;
        this.mtu = mtu;
        this.maxFrameBytes = maxFrameBytes;
        this.receiveChecksumOffload = receiveChecksumOffload;
        this.transmitChecksumOffload = transmitChecksumOffload;
        this.segmentation = segmentation;
        this.counters = counters;
        this.callState = Libc.newCallState(arena);
        receiveSlotBytes = HEADER + maxFrameBytes;
        long stride = BufferPool.stride(receiveSlotBytes);
        MemorySegment receiveMemory = arena.allocate(stride * FrameBatch.MAX_FRAMES, BufferPool.ALIGNMENT_BYTES);
        receiveSlots = new MemorySegment[FrameBatch.MAX_FRAMES];
        for (int i = 0; i < receiveSlots.length; i++) {
            receiveSlots[i] = receiveMemory.asSlice(i * stride, receiveSlotBytes);
        }
        transmitPool = new BufferPool(arena.allocate(stride * transmitBuffers, BufferPool.ALIGNMENT_BYTES),
                transmitBuffers, receiveSlotBytes);
        waitHandle = new TapWaitHandle(fd, eventFd, callState, arena);
    }

    int fileDescriptor() {
        return fd;
    }

    int eventFileDescriptor() {
        return eventFd;
    }

    TapWaitHandle waitHandle() {
        return waitHandle;
    }

    int receive(FrameBatch batch) {
        batch.clear();
        int limit = batch.limit();
        int frames = 0;
        long bytes = 0;
        int readsLeft = limit + EXTRA_READS;
        while (frames < limit && readsLeft-- > 0) {
            MemorySegment slot = receiveSlots[frames];
            long got = Libc.read(callState, fd, slot, receiveSlotBytes);
            if (got < 0) {
                int errno = Libc.errno(callState);
                if (errno == Libc.EINTR) {
                    continue;
                }
                if (errno != Libc.EAGAIN) {
                    lastReceiveErrno = errno; // EBADFD: the queue was detached or the device removed
                    receiveErrors++;
                }
                break;
            }
            int length = (int) got - HEADER;
            if (length < EthernetFlyweight.HEADER_LENGTH) {
                counters.dropped(index, DeviceDrop.FRAME_TOO_SHORT, 1);
                continue;
            }
            int flags = 0;
            int checksumStart = 0;
            int checksumOffset = 0;
            int segmentSize = 0;
            int headerLength = 0;
            int vnetFlags = VirtioNetHeader.flags(slot, 0);
            int gsoType = VirtioNetHeader.gsoType(slot, 0) & ~VirtioNetHeader.GSO_ECN;
            if (gsoType != VirtioNetHeader.GSO_NONE) {
                // A GSO super-frame: only with TUN_F_TSO4/6, that is with segmentation.
                if (!segmentation) {
                    counters.dropped(index, DeviceDrop.OFFLOAD_NOT_ENABLED, 1);
                    continue;
                }
                boolean ipv6 = gsoType == VirtioNetHeader.GSO_TCPV6;
                segmentSize = VirtioNetHeader.gsoSize(slot, 0);
                headerLength = tcpHeadersLength(slot, HEADER, length, ipv6);
                if ((gsoType != VirtioNetHeader.GSO_TCPV4 && !ipv6) || segmentSize < 1 || headerLength < 0) {
                    counters.dropped(index, DeviceDrop.INVALID_OFFLOAD_REQUEST, 1);
                    continue;
                }
                flags = ipv6 ? FrameBatch.SEGMENT_TCP_IPV6 : FrameBatch.SEGMENT_TCP_IPV4;
            }
            if ((vnetFlags & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
                checksumStart = VirtioNetHeader.checksumStart(slot, 0);
                checksumOffset = VirtioNetHeader.checksumOffset(slot, 0);
                if (checksumStart + checksumOffset + 2 > length) {
                    counters.dropped(index, DeviceDrop.INVALID_OFFLOAD_REQUEST, 1);
                    continue;
                }
                if (receiveChecksumOffload) {
                    flags |= FrameBatch.CHECKSUM_PARTIAL;
                } else {
                    // Not asked for (TUN_F_CSUM off), but finish it so the engine's verification passes.
                    FrameChecksums.completePartial(slot, HEADER, length, checksumStart, checksumOffset);
                    checksumStart = 0;
                    checksumOffset = 0;
                }
            } else if (receiveChecksumOffload && (vnetFlags & VirtioNetHeader.F_DATA_VALID) != 0) {
                flags |= FrameBatch.CHECKSUM_VERIFIED;
            }
            int i = batch.add(slot, HEADER, length, maxFrameBytes, FrameBatch.NO_BUFFER_ID);
            if (flags != 0) {
                batch.metadata(i, flags, checksumStart, checksumOffset, segmentSize, headerLength);
            }
            frames++;
            bytes += length;
        }
        if (frames > 0) {
            counters.received(index, frames, bytes);
        }
        return frames;
    }

    int lend(FrameBatch batch, int frames) {
        int n = Math.min(frames, batch.remaining());
        for (int k = 0; k < n; k++) {
            int id = transmitPool.take();
            if (id < 0) {
                return k;
            }
            batch.add(transmitPool.buffer(id), HEADER, 0, maxFrameBytes, id);
        }
        return n;
    }

    int transmit(FrameBatch batch) {
        int count = batch.count();
        for (int i = 0; i < count; i++) {
            long id = batch.bufferId(i);
            if (!transmitPool.isLent(id) || batch.segment(i) != transmitPool.buffer((int) id) || batch.offset(i) != HEADER) {
                throw new IllegalArgumentException("frame " + i + " of the batch is not in a buffer that "
                        + deviceName + " queue " + index + " lent");
            }
        }
        int sent = 0;
        long sentBytes = 0;
        for (int i = 0; i < count; i++) {
            int length = batch.length(i);
            if (length != 0) {
                DeviceDrop problem = check(batch, i, length);
                if (problem == null) {
                    MemorySegment buffer = batch.segment(i);
                    int segmentFlag = batch.flags(i) & FrameBatch.SEGMENT_MASK;
                    if (segmentFlag != 0) {
                        VirtioNetHeader.write(buffer, 0, VirtioNetHeader.F_NEEDS_CSUM,
                                segmentFlag == FrameBatch.SEGMENT_TCP_IPV4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6,
                                batch.headerLength(i), batch.segmentSize(i), batch.checksumStart(i), batch.checksumOffset(i));
                    } else if (batch.hasFlags(i, FrameBatch.CHECKSUM_PARTIAL)) {
                        VirtioNetHeader.write(buffer, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0,
                                batch.checksumStart(i), batch.checksumOffset(i));
                    } else {
                        VirtioNetHeader.writePlain(buffer, 0);
                    }
                    problem = write(buffer, HEADER + length);
                }
                if (problem == null) {
                    sent++;
                    sentBytes += length;
                } else {
                    counters.dropped(index, problem, 1);
                }
            }
            transmitPool.giveBack(batch.bufferId(i));
        }
        batch.clear();
        if (sent > 0) {
            counters.transmitted(index, sent, sentBytes);
        }
        return sent;
    }

    /** Writes one frame with its header; null when the kernel took it, else why not. */
    private DeviceDrop write(MemorySegment buffer, int bytes) {
        while (true) {
            long written = Libc.write(callState, fd, buffer, bytes);
            if (written == bytes) {
                return null;
            }
            int errno = written < 0 ? Libc.errno(callState) : Libc.EMSGSIZE;
            if (errno == Libc.EINTR) {
                continue;
            }
            lastTransmitErrno = errno;
            return switch (errno) {
                // The kernel could not take it now: no memory for the buffer, a full backlog.
                case Libc.EAGAIN, Libc.ENOBUFS, Libc.ENOMEM -> DeviceDrop.QUEUE_FULL;
                // The kernel rejected the vnet header (a checksum field outside the frame, ...).
                case Libc.EINVAL, Libc.EFAULT -> DeviceDrop.INVALID_OFFLOAD_REQUEST;
                case Libc.EMSGSIZE -> DeviceDrop.FRAME_TOO_LONG;
                // EIO: the interface is down; EBADFD: the queue was detached. The cable is unplugged.
                default -> DeviceDrop.NO_PEER;
            };
        }
    }

    /** Why frame {@code i} cannot be sent, or null if it can. */
    private DeviceDrop check(FrameBatch batch, int i, int length) {
        if (length < EthernetFlyweight.HEADER_LENGTH) {
            return DeviceDrop.FRAME_TOO_SHORT;
        }
        int frameFlags = batch.flags(i);
        if ((frameFlags & FrameBatch.SEGMENT_MASK) != 0) {
            if (!segmentation) {
                return DeviceDrop.OFFLOAD_NOT_ENABLED;
            }
            // As Linux: a TSO frame also asks for checksum offload, its pseudo-header sum over the whole TCP length.
            if (batch.segmentSize(i) < 1 || batch.headerLength(i) < EthernetFlyweight.HEADER_LENGTH
                    || batch.headerLength(i) >= length || (frameFlags & FrameBatch.CHECKSUM_PARTIAL) == 0) {
                return DeviceDrop.INVALID_OFFLOAD_REQUEST;
            }
            if (length > maxFrameBytes) {
                return DeviceDrop.FRAME_TOO_LONG;
            }
        } else if (length > mtu + EthernetFlyweight.TAGGED_HEADER_LENGTH) {
            return DeviceDrop.FRAME_TOO_LONG;
        }
        if ((frameFlags & FrameBatch.CHECKSUM_PARTIAL) != 0) {
            if (!transmitChecksumOffload) {
                return DeviceDrop.OFFLOAD_NOT_ENABLED;
            }
            if ((long) batch.checksumStart(i) + batch.checksumOffset(i) + 2 > length) {
                return DeviceDrop.INVALID_OFFLOAD_REQUEST;
            }
        }
        return null;
    }

    /**
     * Ethernet + IP + TCP header bytes of the TCP frame at {@code offset} (untagged or one VLAN
     * tag; IPv4 with options, IPv6 without extension headers, as GSO frames are), or -1 if the
     * frame is not such a TCP frame. What each segment of a super-frame repeats; computed rather
     * than taken from the vnet header's {@code hdr_len}, which the kernel sets to the length of
     * the frame's linear part.
     */
    static int tcpHeadersLength(MemorySegment frame, long offset, int length, boolean ipv6) {
        if (length < EthernetFlyweight.HEADER_LENGTH) {
            return -1;
        }
        int ethernet = EthernetFlyweight.HEADER_LENGTH;
        int etherType = NetworkOrder.u16(frame, offset + EthernetFlyweight.ETHERTYPE_OFFSET);
        if (etherType == EthernetFlyweight.ETHERTYPE_VLAN) {
            if (length < EthernetFlyweight.TAGGED_HEADER_LENGTH) {
                return -1;
            }
            ethernet = EthernetFlyweight.TAGGED_HEADER_LENGTH;
            etherType = NetworkOrder.u16(frame, offset + EthernetFlyweight.TAGGED_ETHERTYPE_OFFSET);
        }
        int ip;
        if (ipv6) {
            if (etherType != EthernetFlyweight.ETHERTYPE_IPV6 || length < ethernet + 40
                    || NetworkOrder.u8(frame, offset + ethernet + 6) != Ipv4Flyweight.PROTOCOL_TCP) {
                return -1;
            }
            ip = 40;
        } else {
            if (etherType != EthernetFlyweight.ETHERTYPE_IPV4 || length < ethernet + 20
                    || NetworkOrder.u8(frame, offset + ethernet + 9) != Ipv4Flyweight.PROTOCOL_TCP) {
                return -1;
            }
            ip = (NetworkOrder.u8(frame, offset + ethernet) & 0x0f) * 4;
            if (ip < 20) {
                return -1;
            }
        }
        if (length < ethernet + ip + 20) {
            return -1;
        }
        int tcp = (NetworkOrder.u8(frame, offset + ethernet + ip + 12) >>> 4) * 4;
        int headers = ethernet + ip + tcp;
        return tcp < 20 || headers >= length ? -1 : headers;
    }

    /** The errno of the last failed read other than EAGAIN, 0 if none. */
    int lastReceiveErrno() {
        return lastReceiveErrno;
    }

    /** The errno of the last refused write, 0 if none. */
    int lastTransmitErrno() {
        return lastTransmitErrno;
    }

    long receiveErrors() {
        return receiveErrors;
    }
}
