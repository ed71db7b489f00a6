package io.mtcp4j.stack.tcp;

/**
 * Reno congestion control (RFC 5681) with the window side of NewReno (RFC 6582): additive increase
 * of one MSS per window of acknowledged bytes, ssthresh = {@code max(FlightSize / 2, 2 * MSS)} on
 * loss and timeout.
 *
 * <p>Congestion avoidance counts bytes (RFC 3465 2.1, the RFC 5681 3.1 alternative to eq. 3):
 * acknowledged bytes accumulate, and each time they reach cwnd, cwnd grows by one MSS and cwnd is
 * subtracted. So a window's worth of ACKs, in any number of ACKs (delayed or stretch), adds one MSS.
 * The NewReno partial/full acknowledgment logic (recover point, one retransmission per partial ACK)
 * belongs to the control block; what it means for the window is in {@link CongestionControl}.
 */
public final class NewReno extends AbstractCongestionControl {
    public static final String NAME = "newreno";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    void congestionAvoidance(long nowNs, long ackedBytes) {
        avoidanceAckedBytes += ackedBytes;
        if (avoidanceAckedBytes >= cwndBytes) {
            long windows = avoidanceAckedBytes / cwndBytes;
            avoidanceAckedBytes -= windows * cwndBytes;
            growCwnd(windows * mssBytes);
        }
    }

    /** RFC 5681 eq. 4. */
    @Override
    int ssthreshAfterLoss(int bytesInFlight) {
        return atLeastTwoSegments(bytesInFlight / 2);
    }
}
