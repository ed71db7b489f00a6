package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Symmetric RSS: both directions of every connection hash, and steer, alike. */
class ToeplitzHashPropertyTest {
    private static final ToeplitzHash SYMMETRIC = new ToeplitzHash(ToeplitzHash.symmetricKey());

    @Property
    void symmetricKeyHashesBothDirectionsOfAnIpv4ConnectionAlike(
            @ForAll int a, @ForAll int b,
            @ForAll @IntRange(max = 65535) int portA, @ForAll @IntRange(max = 65535) int portB) {
        assertEquals(SYMMETRIC.ipv4(a, b, portA, portB), SYMMETRIC.ipv4(b, a, portB, portA));
        assertEquals(SYMMETRIC.ipv4(a, b), SYMMETRIC.ipv4(b, a));
    }

    @Property
    void symmetricKeyHashesBothDirectionsOfAnIpv6ConnectionAlike(
            @ForAll long aHigh, @ForAll long aLow, @ForAll long bHigh, @ForAll long bLow,
            @ForAll @IntRange(max = 65535) int portA, @ForAll @IntRange(max = 65535) int portB) {
        assertEquals(SYMMETRIC.ipv6(aHigh, aLow, bHigh, bLow, portA, portB),
                SYMMETRIC.ipv6(bHigh, bLow, aHigh, aLow, portB, portA));
    }

    @Property
    void steeringOfABuiltFrameMatchesSteeringOfItsTuple(
            @ForAll int source, @ForAll int destination,
            @ForAll @IntRange(max = 65535) int sourcePort, @ForAll @IntRange(max = 65535) int destinationPort,
            @ForAll @IntRange(min = 1, max = 64) int queues) {
        RssSteering steering = RssSteering.symmetric(queues);
        MemorySegment frame = MemorySegment.ofArray(new byte[128]);
        int length = TestFrames.tcp4(frame, 0, source, destination, sourcePort, destinationPort, 1, 10, false);
        int queue = steering.queueOfFrame(frame, 0, length);
        assertEquals(steering.queueOfIpv4(source, destination, sourcePort, destinationPort), queue);
        assertEquals(steering.queueOfIpv4(destination, source, destinationPort, sourcePort), queue);
    }

    @Property
    void anyBytesSteerToSomeQueueWithoutThrowing(@ForAll byte[] bytes, @ForAll @IntRange(min = 2, max = 8) int queues) {
        int queue = RssSteering.symmetric(queues).queueOfFrame(MemorySegment.ofArray(bytes), 0, bytes.length);
        assertEquals(true, queue >= 0 && queue < queues, "queue " + queue);
    }
}
