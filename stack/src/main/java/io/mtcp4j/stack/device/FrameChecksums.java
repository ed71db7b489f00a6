package io.mtcp4j.stack.device;

import io.mtcp4j.stack.wire.Checksum;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.lang.foreign.MemorySegment;

/** Checksum work a device does on frames, in software. */
public final class FrameChecksums {
    private FrameChecksums() {}

    /**
     * Finishes a {@link FrameBatch#CHECKSUM_PARTIAL} frame's transport checksum as a device with
     * {@link Offload#TX_CHECKSUM} would: the field holds the folded pseudo-header sum, so the sum
     * of the bytes from {@code checksumStart} to the end of the frame, field included, is the
     * whole sum, and its complement goes into the field.
     *
     * @param offset where the frame starts in {@code segment}
     * @param length the frame's length
     * @throws IllegalArgumentException if the checksum field does not lie inside the frame
     */
    public static void completePartial(MemorySegment segment, long offset, int length,
                                       int checksumStart, int checksumOffset) {
        if (checksumStart < 0 || checksumOffset < 0 || (long) checksumStart + checksumOffset + 2 > length) {
            throw new IllegalArgumentException("checksum field at " + checksumStart + "+" + checksumOffset
                    + " is outside the " + length + "-byte frame");
        }
        long sum = Checksum.sum(segment, offset + checksumStart, length - checksumStart);
        NetworkOrder.u16(segment, offset + checksumStart + checksumOffset, Checksum.finish(sum));
    }
}
