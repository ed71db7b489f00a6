package io.mtcp4j.stack.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a whole classic pcap file from bytes, for tests: written independently of
 * {@link PcapWriter} so that a round trip checks the writer against the format, not against itself.
 * Accepts either byte order, as libpcap does, by looking at how the magic number reads.
 */
final class PcapReader {
    static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    static final int MAGIC_NANOSECONDS = 0xa1b23c4d;

    record Capture(ByteOrder order, boolean nanosecondTimestamps, int versionMajor, int versionMinor,
                   int thiszone, int sigfigs, int snapLength, int network, List<Packet> packets) {}

    /** One record: {@code fraction} is microseconds or nanoseconds, as the capture says. */
    record Packet(long seconds, long fraction, int includedLength, int originalLength, byte[] data) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Packet p && seconds == p.seconds && fraction == p.fraction
                    && includedLength == p.includedLength && originalLength == p.originalLength
                    && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(seconds) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Packet[seconds=" + seconds + ", fraction=" + fraction + ", includedLength=" + includedLength
                    + ", originalLength=" + originalLength + ", data=" + data.length + " bytes]";
        }
    }

    private PcapReader() {}

    static Capture read(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt(0);
        if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
        }
        if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS) {
            throw new IllegalArgumentException("not a pcap file, magic " + Integer.toHexString(magic));
        }
        in.position(4);
        int versionMajor = Short.toUnsignedInt(in.getShort());
        int versionMinor = Short.toUnsignedInt(in.getShort());
        int thiszone = in.getInt();
        int sigfigs = in.getInt();
        int snapLength = in.getInt();
        int network = in.getInt();
        List<Packet> packets = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < 16) {
                throw new IllegalArgumentException("truncated record header at " + in.position());
            }
            long seconds = Integer.toUnsignedLong(in.getInt());
            long fraction = Integer.toUnsignedLong(in.getInt());
            int includedLength = in.getInt();
            int originalLength = in.getInt();
            if (includedLength < 0 || includedLength > in.remaining()) {
                throw new IllegalArgumentException("record of " + includedLength + " bytes, "
                        + in.remaining() + " left at " + in.position());
            }
            byte[] data = new byte[includedLength];
            in.get(data);
            packets.add(new Packet(seconds, fraction, includedLength, originalLength, data));
        }
        return new Capture(in.order(), magic == MAGIC_NANOSECONDS, versionMajor, versionMinor,
                thiszone, sigfigs, snapLength, network, packets);
    }
}
