package io.mtcp4j.stack.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** A {@link NeighborOutput} that records what a cache asked to send, for tests to compare with the RFC. */
final class RecordingNeighborOutput implements NeighborOutput {
    record Solicitation(long high, long low, long unicastMac) {
        boolean multicast() {
            return unicastMac == NeighborCache.NO_MAC;
        }
    }

    record Failure(long high, long low, int droppedFrames) {}

    final List<Solicitation> solicitations = new ArrayList<>();
    final List<byte[]> transmitted = new ArrayList<>();
    final List<Failure> failures = new ArrayList<>();

    @Override
    public void solicit(long targetHigh, long targetLow, long unicastMac) {
        solicitations.add(new Solicitation(targetHigh, targetLow, unicastMac));
    }

    @Override
    public void transmit(MemorySegment frame, long offset, int length) {
        transmitted.add(frame.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
    }

    @Override
    public void resolutionFailed(long targetHigh, long targetLow, int droppedFrames) {
        failures.add(new Failure(targetHigh, targetLow, droppedFrames));
    }

    void clear() {
        solicitations.clear();
        transmitted.clear();
        failures.clear();
    }
}
