package io.mtcp4j.stack.device;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a classic pcap file for the capture tests, written from the format description (libpcap's
 * pcap-savefile(5)) rather than from the writer, so that a round trip checks the writer against
 * the format. Either byte order, told by how the magic number reads.
 */
record CaptureFile(boolean nanosecondTimestamps, int versionMajor, int versionMinor, int snapLength,
                   int linkType, List<Record> records) {
    private static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    private static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    private static final int GLOBAL_HEADER_BYTES = 24;
    private static final int RECORD_HEADER_BYTES = 16;

    /** One frame: its timestamp as stored (seconds, then micro- or nanoseconds) and its bytes. */
    record Record(long seconds, long fraction, int originalLength, byte[] data) {}

    static CaptureFile parse(byte[] file) {
        if (file.length < GLOBAL_HEADER_BYTES) {
            throw new IllegalArgumentException("shorter than a pcap global header: " + file.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt(0);
        if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
            if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS) {
                throw new IllegalArgumentException("no pcap magic number: 0x" + Integer.toHexString(magic));
            }
        }
        int versionMajor = Short.toUnsignedInt(in.getShort(4));
        int versionMinor = Short.toUnsignedInt(in.getShort(6));
        int snapLength = in.getInt(16);
        int linkType = in.getInt(20);
        List<Record> records = new ArrayList<>();
        int at = GLOBAL_HEADER_BYTES;
        while (at < file.length) {
            if (file.length - at < RECORD_HEADER_BYTES) {
                throw new IllegalArgumentException("record header cut short at byte " + at);
            }
            long seconds = Integer.toUnsignedLong(in.getInt(at));
            long fraction = Integer.toUnsignedLong(in.getInt(at + 4));
            int included = in.getInt(at + 8);
            int original = in.getInt(at + 12);
            at += RECORD_HEADER_BYTES;
            if (included < 0 || included > file.length - at || included > snapLength) {
                throw new IllegalArgumentException("record of " + included + " bytes at byte " + at);
            }
            byte[] data = new byte[included];
            System.arraycopy(file, at, data, 0, included);
            at += included;
            records.add(new Record(seconds, fraction, original, data));
        }
        return new CaptureFile(magic == MAGIC_NANOSECONDS, versionMajor, versionMinor, snapLength, linkType, records);
    }
}
