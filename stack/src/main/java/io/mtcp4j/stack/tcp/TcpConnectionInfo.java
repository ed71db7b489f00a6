package io.mtcp4j.stack.tcp;

/**
 * A connection's state and counters, as {@code ss -ti} shows them. {@link TcpConnection#info()}
 * refreshes and returns the connection's one holder, so reading it allocates nothing; copy what
 * you keep. Counters only grow.
 */
public final class TcpConnectionInfo {
    TcpState state = TcpState.CLOSED;
    int congestionWindowBytes;
    int slowStartThresholdBytes;
    long smoothedRttNs;
    long rttVarianceNs;
    long rtoNs;
    int sendMssBytes;
    int sendWindowBytes;
    int receiveWindowBytes;
    int bytesInFlight;
    long unsentBytes;
    int unreadBytes;

    long segmentsSent;
    long segmentsReceived;
    long bytesSent;
    long bytesRetransmitted;
    long bytesAcked;
    long bytesReceived;
    long duplicateBytesReceived;
    long retransmittedSegments;
    long retransmissionTimeouts;
    long fastRetransmits;
    long pathMtuRetransmissions;
    long duplicateAcksReceived;
    long sackBlocksReceived;
    long dsackBlocksReceived;
    long sackBlocksIgnored;
    long zeroWindowProbes;
    long keepAliveProbes;
    long challengeAcksSent;
    long resetsSent;
    long resetsReceived;
    long pawsRejected;
    long outOfWindowSegments;
    long reassemblyDrops;
    long outputFull;

    public TcpState state() { return state; }
    public int congestionWindowBytes() { return congestionWindowBytes; }
    public int slowStartThresholdBytes() { return slowStartThresholdBytes; }
    public long smoothedRttNs() { return smoothedRttNs; }
    public long rttVarianceNs() { return rttVarianceNs; }
    public long rtoNs() { return rtoNs; }
    public int sendMssBytes() { return sendMssBytes; }
    public int sendWindowBytes() { return sendWindowBytes; }
    public int receiveWindowBytes() { return receiveWindowBytes; }
    public int bytesInFlight() { return bytesInFlight; }
    public long unsentBytes() { return unsentBytes; }
    public int unreadBytes() { return unreadBytes; }
    public long segmentsSent() { return segmentsSent; }
    public long segmentsReceived() { return segmentsReceived; }
    /** New data bytes sent (retransmissions not counted). */
    public long bytesSent() { return bytesSent; }
    public long bytesRetransmitted() { return bytesRetransmitted; }
    public long bytesAcked() { return bytesAcked; }
    /** Data bytes delivered in order to the receive ring. */
    public long bytesReceived() { return bytesReceived; }
    public long duplicateBytesReceived() { return duplicateBytesReceived; }
    public long retransmittedSegments() { return retransmittedSegments; }
    public long retransmissionTimeouts() { return retransmissionTimeouts; }
    public long fastRetransmits() { return fastRetransmits; }
    /** Times a smaller path MTU sent the flight again at the new MSS ({@link TcpConnection#pathMtuChanged}). */
    public long pathMtuRetransmissions() { return pathMtuRetransmissions; }
    public long duplicateAcksReceived() { return duplicateAcksReceived; }
    /** SACK blocks seen on acceptable ACKs (RFC 2018), D-SACK blocks (RFC 2883) included. */
    public long sackBlocksReceived() { return sackBlocksReceived; }
    /** D-SACK blocks (RFC 2883): the peer received something twice, as after a spurious retransmission. Counted only. */
    public long dsackBlocksReceived() { return dsackBlocksReceived; }
    /** SACK blocks ignored as invalid: reversed or empty, beyond SND.MAX, or wholly acknowledged already. */
    public long sackBlocksIgnored() { return sackBlocksIgnored; }
    public long zeroWindowProbes() { return zeroWindowProbes; }
    public long keepAliveProbes() { return keepAliveProbes; }
    public long challengeAcksSent() { return challengeAcksSent; }
    public long resetsSent() { return resetsSent; }
    public long resetsReceived() { return resetsReceived; }
    /** Segments dropped by PAWS (RFC 7323 5). */
    public long pawsRejected() { return pawsRejected; }
    public long outOfWindowSegments() { return outOfWindowSegments; }
    /** Out-of-order segments dropped because the reassembly queue was at its bound. */
    public long reassemblyDrops() { return reassemblyDrops; }
    /** Times the output had no room for a segment. */
    public long outputFull() { return outputFull; }

    @Override
    public String toString() {
        return state + " cwnd " + congestionWindowBytes + " ssthresh " + slowStartThresholdBytes
                + " srtt " + smoothedRttNs / 1000 + "us rttvar " + rttVarianceNs / 1000 + "us rto " + rtoNs / 1_000_000 + "ms"
                + " mss " + sendMssBytes + " snd_wnd " + sendWindowBytes + " rcv_wnd " + receiveWindowBytes
                + " inflight " + bytesInFlight + " unsent " + unsentBytes + " unread " + unreadBytes
                + " segs_out " + segmentsSent + " segs_in " + segmentsReceived + " bytes_sent " + bytesSent
                + " bytes_retrans " + bytesRetransmitted + " bytes_acked " + bytesAcked + " bytes_received " + bytesReceived
                + " retrans " + retransmittedSegments + " rto_count " + retransmissionTimeouts;
    }

    /** A copy that keeps this moment's values: for another thread ({@code StackSocket.info()}) or a history. */
    public TcpConnectionInfo copy() {
        TcpConnectionInfo copy = new TcpConnectionInfo();
        copy.state = state;
        copy.congestionWindowBytes = congestionWindowBytes;
        copy.slowStartThresholdBytes = slowStartThresholdBytes;
        copy.smoothedRttNs = smoothedRttNs;
        copy.rttVarianceNs = rttVarianceNs;
        copy.rtoNs = rtoNs;
        copy.sendMssBytes = sendMssBytes;
        copy.sendWindowBytes = sendWindowBytes;
        copy.receiveWindowBytes = receiveWindowBytes;
        copy.bytesInFlight = bytesInFlight;
        copy.unsentBytes = unsentBytes;
        copy.unreadBytes = unreadBytes;
        copy.segmentsSent = segmentsSent;
        copy.segmentsReceived = segmentsReceived;
        copy.bytesSent = bytesSent;
        copy.bytesRetransmitted = bytesRetransmitted;
        copy.bytesAcked = bytesAcked;
        copy.bytesReceived = bytesReceived;
        copy.duplicateBytesReceived = duplicateBytesReceived;
        copy.retransmittedSegments = retransmittedSegments;
        copy.retransmissionTimeouts = retransmissionTimeouts;
        copy.fastRetransmits = fastRetransmits;
        copy.pathMtuRetransmissions = pathMtuRetransmissions;
        copy.duplicateAcksReceived = duplicateAcksReceived;
        copy.sackBlocksReceived = sackBlocksReceived;
        copy.dsackBlocksReceived = dsackBlocksReceived;
        copy.sackBlocksIgnored = sackBlocksIgnored;
        copy.zeroWindowProbes = zeroWindowProbes;
        copy.keepAliveProbes = keepAliveProbes;
        copy.challengeAcksSent = challengeAcksSent;
        copy.resetsSent = resetsSent;
        copy.resetsReceived = resetsReceived;
        copy.pawsRejected = pawsRejected;
        copy.outOfWindowSegments = outOfWindowSegments;
        copy.reassemblyDrops = reassemblyDrops;
        copy.outputFull = outputFull;
        return copy;
    }
}
