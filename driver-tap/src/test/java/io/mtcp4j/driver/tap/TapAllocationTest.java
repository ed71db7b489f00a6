package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mtcp4j.stack.device.FrameBatch;
import io.mtcp4j.stack.device.WaitHandle;
import io.mtcp4j.stack.wire.ArpPacket;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.EthernetHeader;
import io.mtcp4j.stack.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-frame path of the TAP device allocates nothing on the heap: lend, transmit (with and
 * without a partial checksum), receive, and a wait on the wait handle, measured with the
 * thread's allocation counter after a warm-up. Needs CAP_NET_ADMIN.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TapAllocationTest {
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void lendTransmitReceiveAndWaitAllocateNothing() {
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no per-thread allocation counter on this JVM");
        threads.setThreadAllocatedMemoryEnabled(true);
        try (TestTap tap = TestTap.open(1, true)) {
            byte[] frame = new byte[42];
            MemorySegment heap = MemorySegment.ofArray(frame);
            int length = EthernetHeader.untagged(MacAddress.BROADCAST, tap.device.macAddress(), EthernetFlyweight.ETHERTYPE_ARP)
                    .writeTo(heap, 0);
            length += ArpPacket.request(tap.device.macAddress(), tap.stackIpv4Bits(), tap.kernelIpv4Bits())
                    .writeTo(heap, length);
            assertEquals(42, length);
            FrameBatch transmit = new FrameBatch();
            FrameBatch receive = new FrameBatch();
            WaitHandle waitHandle = tap.device.waitHandle(0);
            long[] received = new long[1];
            Runnable round = () -> {
                int lent = tap.device.lend(0, transmit, 8);
                for (int i = 0; i < lent; i++) {
                    MemorySegment.copy(frame, 0, transmit.segment(i), ValueLayout.JAVA_BYTE, transmit.offset(i), 42);
                    transmit.length(i, 42);
                    if (i % 2 == 1) {
                        transmit.checksumPartial(i, 14, 6); // a field inside the frame: the kernel fills it
                    }
                }
                tap.device.transmit(0, transmit);
                waitHandle.await(1_000_000L);
                received[0] += tap.device.receive(0, receive);
                waitHandle.signal();
                waitHandle.await(1_000_000L);
            };
            for (int i = 0; i < 20_000; i++) {
                round.run();
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2_000; i++) {
                round.run();
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(received[0] > 0, "the kernel answered");
            assertTrue(allocated < 1_024, allocated + " bytes allocated in 2,000 rounds of 8 frames");
        }
    }
}
