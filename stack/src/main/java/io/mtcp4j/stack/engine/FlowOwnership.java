package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.device.ReceiveSteering;
import io.mtcp4j.stack.device.RssSteering;
import io.mtcp4j.stack.device.ToeplitzHash;
import io.mtcp4j.stack.tcp.TcpEndpoints;
import java.security.SecureRandom;

/**
 * Which engine of a group owns a TCP four-tuple: the one engine whose flow table holds it, and
 * to which every other engine hands the flow's frames (DESIGN.md "Flow affinity").
 *
 * <p>When the device can say how it spreads flows over its receive queues
 * ({@link ReceiveSteering#computable()}), the owner is the engine that reads the queue the device
 * steers the tuple to: queue {@code q} is read by engine {@code q % engines} (engine {@code i}
 * reads queue {@code i}, and also {@code i + engines}, {@code i + 2 * engines}, ... when the
 * device has more queues than the group has engines). Frames of such a flow then arrive at their
 * owner directly, and the group picks local ports for active opens whose four-tuple steers back
 * to the opening engine (mTCP's RSS-aware ports, {@link EphemeralPorts}).
 *
 * <p>When it cannot (a TAP device, whose kernel hashes with a secret seed, or a device that hides
 * its steering), the owner is a software hash of the four-tuple modulo the engine count
 * (Seastar's software steering): a Toeplitz hash under a key drawn once per group, through the
 * same 128-entry indirection table. Every engine computes the same owner for a tuple, so the
 * engine a frame happens to arrive at hands it to that owner.
 *
 * <p>A tuple is always given as the receiver sees it: source = the remote end, destination = the
 * local end. That is what the device hashes for a frame arriving, and what an engine knows when
 * it opens a connection.
 *
 * <p>Immutable; any thread (the stack API asks it from application threads). No allocation.
 */
public final class FlowOwnership {
    private final ReceiveSteering steering;
    private final boolean deviceSteering;
    private final int engines;

    private FlowOwnership(ReceiveSteering steering, boolean deviceSteering, int engines) {
        this.steering = steering;
        this.deviceSteering = deviceSteering;
        this.engines = engines;
    }

    /**
     * Ownership for {@code engines} engines over {@code device}: the device's steering when it
     * can tell, else a software hash under a fresh random key.
     */
    public static FlowOwnership of(NetDevice device, int engines) {
        return of(device.steering(), engines, randomKey());
    }

    /**
     * Ownership for {@code engines} engines under {@code steering} when it is computable, else the
     * software hash under {@code softwareKey} ({@value ToeplitzHash#KEY_BYTES} bytes or more).
     */
    public static FlowOwnership of(ReceiveSteering steering, int engines, byte[] softwareKey) {
        if (engines < 1 || engines > NetDevice.MAX_QUEUES) {
            throw new IllegalArgumentException("engines must be 1 to " + NetDevice.MAX_QUEUES + ": " + engines);
        }
        if (steering.computable()) {
            return new FlowOwnership(steering, true, engines);
        }
        return new FlowOwnership(new RssSteering(new ToeplitzHash(softwareKey), engines), false, engines);
    }

    /** One engine: it owns every flow. */
    public static FlowOwnership single() {
        return new FlowOwnership(ReceiveSteering.UNKNOWN, false, 1);
    }

    private static byte[] randomKey() {
        byte[] key = new byte[ToeplitzHash.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /** Engines in the group. */
    public int engines() {
        return engines;
    }

    /**
     * Whether owners follow the device's own steering, so that a flow's frames arrive at their
     * owner without a hand-off; false when owners come from the software hash.
     */
    public boolean steeredByDevice() {
        return deviceSteering;
    }

    /** The engine that reads receive queue {@code queue}. */
    public int engineOfQueue(int queue) {
        return queue % engines;
    }

    /** The owner of an IPv4 flow; addresses as raw {@code int} bits, ports 0-65535. */
    public int ownerOfIpv4(int localAddress, int localPort, int remoteAddress, int remotePort) {
        if (engines == 1) {
            return 0;
        }
        return steering.queueOfIpv4(remoteAddress, localAddress, remotePort, localPort) % engines;
    }

    /** The owner of an IPv6 flow; addresses as their high and low 64 bits. */
    public int ownerOfIpv6(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow, int remotePort) {
        if (engines == 1) {
            return 0;
        }
        return steering.queueOfIpv6(remoteHigh, remoteLow, localHigh, localLow, remotePort, localPort) % engines;
    }

    /** The owner of a flow in {@link io.mtcp4j.stack.engine.FlowTable}'s form (IPv4 in the low 32 bits of {@code low}). */
    public int ownerOf(boolean ipv6, long localHigh, long localLow, int localPort,
                       long remoteHigh, long remoteLow, int remotePort) {
        return ipv6 ? ownerOfIpv6(localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort)
                : ownerOfIpv4((int) localLow, localPort, (int) remoteLow, remotePort);
    }

    /** The owner of a connection's four-tuple. */
    public int ownerOf(TcpEndpoints endpoints) {
        return ownerOf(endpoints.ipv6(), endpoints.localHigh(), endpoints.localLow(), endpoints.localPort(),
                endpoints.remoteHigh(), endpoints.remoteLow(), endpoints.remotePort());
    }

    @Override
    public String toString() {
        return "FlowOwnership[" + engines + " engines, " + (deviceSteering ? "device steering " + steering : "software hash") + "]";
    }
}
