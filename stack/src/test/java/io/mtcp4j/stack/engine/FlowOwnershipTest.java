package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.ReceiveSteering;
import io.mtcp4j.stack.device.RssSteering;
import io.mtcp4j.stack.device.ToeplitzHash;
import io.mtcp4j.stack.tcp.TcpEndpoints;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

class FlowOwnershipTest {
    private static final int LOCAL = Ipv4Address.parse("10.0.0.1");
    private static final int REMOTE = Ipv4Address.parse("10.0.0.2");
    private static final Ipv6Address LOCAL6 = Ipv6Address.parse("fd00::1");
    private static final Ipv6Address REMOTE6 = Ipv6Address.parse("fd00::2");

    @Test
    void withDeviceSteeringTheOwnerReadsTheQueueTheDeviceSteersTheArrivingFrameTo() {
        RssSteering steering = RssSteering.symmetric(4);
        FlowOwnership ownership = FlowOwnership.of(steering, 4, ToeplitzHash.microsoftKey());
        assertTrue(ownership.steeredByDevice());
        for (int port = 40_000; port < 40_200; port++) {
            // The device hashes the frame as it arrives: source = remote, destination = local.
            assertEquals(steering.queueOfIpv4(REMOTE, LOCAL, 80, port), ownership.ownerOfIpv4(LOCAL, port, REMOTE, 80));
            assertEquals(steering.queueOfIpv6(REMOTE6.high(), REMOTE6.low(), LOCAL6.high(), LOCAL6.low(), 443, port),
                    ownership.ownerOfIpv6(LOCAL6.high(), LOCAL6.low(), port, REMOTE6.high(), REMOTE6.low(), 443));
            assertEquals(ownership.ownerOfIpv4(LOCAL, port, REMOTE, 80),
                    ownership.ownerOf(TcpEndpoints.ipv4(LOCAL, port, REMOTE, 80)));
        }
    }

    @Test
    void withMoreQueuesThanEnginesQueueQIsReadByEngineQModuloTheEngines() {
        RssSteering steering = RssSteering.symmetric(4);
        FlowOwnership ownership = FlowOwnership.of(steering, 2, ToeplitzHash.microsoftKey());
        assertEquals(1, ownership.engineOfQueue(3));
        for (int port = 40_000; port < 40_100; port++) {
            assertEquals(steering.queueOfIpv4(REMOTE, LOCAL, 80, port) % 2, ownership.ownerOfIpv4(LOCAL, port, REMOTE, 80));
        }
    }

    @Test
    void withoutDeviceSteeringEveryEngineComputesTheSameSoftwareOwnerAndFlowsSpread() {
        FlowOwnership ownership = FlowOwnership.of(ReceiveSteering.UNKNOWN, 4, ToeplitzHash.microsoftKey());
        FlowOwnership sameKey = FlowOwnership.of(ReceiveSteering.UNKNOWN, 4, ToeplitzHash.microsoftKey());
        assertFalse(ownership.steeredByDevice());
        int[] perEngine = new int[4];
        for (int port = 40_000; port < 44_000; port++) {
            int owner = ownership.ownerOfIpv4(LOCAL, port, REMOTE, 80);
            assertEquals(sameKey.ownerOfIpv4(LOCAL, port, REMOTE, 80), owner);
            perEngine[owner]++;
        }
        for (int engine = 0; engine < 4; engine++) {
            assertTrue(perEngine[engine] > 700, "engine " + engine + " owns " + perEngine[engine] + " of 4000 flows");
        }
    }

    @Test
    void oneEngineOwnsEverything() {
        FlowOwnership ownership = FlowOwnership.single();
        assertEquals(0, ownership.ownerOfIpv4(LOCAL, 1234, REMOTE, 80));
        assertEquals(0, ownership.ownerOfIpv6(LOCAL6.high(), LOCAL6.low(), 1234, REMOTE6.high(), REMOTE6.low(), 80));
    }

    @Test
    void engineCountIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> FlowOwnership.of(ReceiveSteering.UNKNOWN, 0, ToeplitzHash.microsoftKey()));
        assertThrows(IllegalArgumentException.class, () -> FlowOwnership.of(ReceiveSteering.UNKNOWN, 65, ToeplitzHash.microsoftKey()));
    }
}
