package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.testing.Allocations.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The per-packet path allocates nothing (STYLE.md rule 7): wrap with option parsing, the options
 * writer and the checksum. Measured with the JVM's per-thread allocation counter
 * ({@link io.mtcp4j.stack.testing.Allocations}), which counts every object the thread allocates,
 * so any per-round allocation shows however small. The bench module's
 * JMH {@code -prof gc} runs remain the proof under a compiling JIT.
 */
class TcpAllocationTest {
    @Test
    void wrapParseWriteAndChecksumAllocateNothing() {
        TcpFlyweight tcp = new TcpFlyweight();
        TcpOptionsWriter writer = new TcpOptionsWriter();
        MemorySegment syn = MemorySegment.ofArray(TcpTestBytes.linuxSyn());
        MemorySegment sack = MemorySegment.ofArray(TcpTestBytes.headerWithOptions(
                "01 01 05 22 00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008"));
        MemorySegment out = MemorySegment.ofArray(new byte[60]);
        long pseudo = Checksum.pseudoHeaderIpv4(TcpTestBytes.CLIENT_ADDRESS, TcpTestBytes.SERVER_ADDRESS, 6, 40);

        long[] checksumSum = new long[1];
        long allocated = bytesAllocatedBy(
                () -> checksumSum[0] += runPacketPath(tcp, writer, syn, sack, out, pseudo, 1_000), // warm up, load classes
                () -> checksumSum[0] += runPacketPath(tcp, writer, syn, sack, out, pseudo, 10_000));

        // Less than one byte per round: an object per round would be at least 16 x 10000 bytes. The
        // few hundred bytes the VM may allocate once while compiling the loop stay far below that.
        assertTrue(allocated < 10_000, allocated + " bytes allocated by 10000 rounds of the per-packet path");
        assertEquals(11_000L * (1460 + 4 + 40), checksumSum[0], "the loop did its work");
    }

    private static long runPacketPath(TcpFlyweight tcp, TcpOptionsWriter writer, MemorySegment syn,
                                      MemorySegment sack, MemorySegment out, long pseudo, int rounds) {
        long total = 0;
        for (int i = 0; i < rounds; i++) {
            if (tcp.wrap(syn, 0, 40) == Malformed.NONE && tcp.checksumValid(pseudo, 40)) {
                total += tcp.options().mss();
            }
            if (tcp.wrap(sack, 0, 56) == Malformed.NONE) {
                total += tcp.options().sackBlockCount();
            }
            tcp.wrapForWrite(out, 0).sourcePort(40000).destinationPort(80).sequenceNumber(i).flags(TcpFlyweight.FLAG_SYN);
            writer.clear().mss(1460).sackPermitted().timestamps(i, 0).windowScale(7);
            total += 20 + writer.writeTo(tcp);
            tcp.fillChecksum(pseudo, 40);
        }
        return total;
    }
}
