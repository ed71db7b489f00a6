package io.mtcp4j.stack.device;

import java.lang.foreign.MemorySegment;

/**
 * Which receive queue a device puts a flow's frames on, when that can be computed: the engine
 * owning queue {@code i} then picks, for an active open, a local port whose return traffic lands
 * on queue {@code i} (mTCP's RSS-aware port selection), and never has to forward that flow's
 * frames to another engine.
 *
 * <p>Addresses follow the wire package: IPv4 addresses as raw {@code int} bits, IPv6 addresses as
 * their high and low 64 bits; ports 0 to 65535. "Source" and "destination" are as the frame
 * arriving at this device carries them (remote, then local).
 */
public interface ReceiveSteering {
    /** A device whose steering is not known (TAP: the kernel hashes with a secret seed). */
    ReceiveSteering UNKNOWN = new ReceiveSteering() {
        @Override
        public boolean computable() {
            return false;
        }

        @Override
        public int queueOfIpv4(int sourceAddress, int destinationAddress, int sourcePort, int destinationPort) {
            return -1;
        }

        @Override
        public int queueOfIpv6(long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
                               int sourcePort, int destinationPort) {
            return -1;
        }

        @Override
        public int queueOfFrame(MemorySegment segment, long offset, int length) {
            return -1;
        }

        @Override
        public String toString() {
            return "ReceiveSteering.UNKNOWN";
        }
    };

    /** Whether the queue methods give real answers; when false they return -1. */
    boolean computable();

    /** The receive queue of an IPv4 TCP segment with this 4-tuple, or -1 if not computable. */
    int queueOfIpv4(int sourceAddress, int destinationAddress, int sourcePort, int destinationPort);

    /** The receive queue of an IPv6 TCP segment with this 4-tuple, or -1 if not computable. */
    int queueOfIpv6(long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
                    int sourcePort, int destinationPort);

    /**
     * The receive queue of an Ethernet frame, or -1 if not computable. Any content is accepted
     * (this never throws for malformed bytes); frames the device does not hash go to queue 0.
     */
    int queueOfFrame(MemorySegment segment, long offset, int length);
}
