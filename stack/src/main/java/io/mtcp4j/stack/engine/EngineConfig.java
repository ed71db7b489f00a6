package io.mtcp4j.stack.engine;

import io.mtcp4j.stack.ip.NeighborConfig;
import io.mtcp4j.stack.tcp.RingPool;
import io.mtcp4j.stack.tcp.TcpConfig;
import java.util.Objects;

/**
 * One engine's settings.
 *
 * @param addresses            the interface's addresses and gateways
 * @param tcp                  connection settings; the engine lowers {@code mssBytes} per family
 *                             to what the device MTU allows (MTU - 40 for IPv4, MTU - 60 for IPv6)
 * @param firstEphemeralPort   lowest local port {@link Engine#connect} picks (Linux: 32768)
 * @param lastEphemeralPort    highest local port it picks (Linux: 60999)
 * @param receiveBurstFrames   frames received per loop, 1-64 (mTCP's and DPDK's burst: 64)
 * @param commandsPerLoop      application commands run per loop at most
 * @param timerExpiriesPerLoop connection timers fired per loop at most
 * @param expectedFlows        flows the flow table and the dirty list hold without growing
 * @param neighbors            sizes and timers of the ARP and IPv6 neighbour caches
 * @param engines              engines of an {@link EngineGroup} over one device, 1 to 64 (the
 *                             {@code engines} key); a single {@link Engine} ignores it. The group
 *                             checks it against the device's queues.
 * @param ringPoolIdleBytes    bytes of send and receive rings the engine's {@link RingPool} keeps
 *                             idle for new connections at most; returned rings beyond it are left
 *                             to the GC (default 64 MiB: 128 rings of the default 256 KiB)
 */
public record EngineConfig(StackAddresses addresses, TcpConfig tcp, int firstEphemeralPort, int lastEphemeralPort,
                           int receiveBurstFrames, int commandsPerLoop, int timerExpiriesPerLoop,
                           int expectedFlows, NeighborConfig neighbors, int engines, long ringPoolIdleBytes) {
    public static final int DEFAULT_FIRST_EPHEMERAL_PORT = 32768;
    public static final int DEFAULT_LAST_EPHEMERAL_PORT = 60999;
    public static final long DEFAULT_RING_POOL_IDLE_BYTES = 64L << 20;

    public EngineConfig {
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(neighbors, "neighbors");
        if (firstEphemeralPort < 1 || lastEphemeralPort > 0xffff || firstEphemeralPort > lastEphemeralPort) {
            throw new IllegalArgumentException("ephemeral ports must be a range within 1-65535: "
                    + firstEphemeralPort + "-" + lastEphemeralPort);
        }
        if (receiveBurstFrames < 1 || receiveBurstFrames > io.mtcp4j.stack.device.FrameBatch.MAX_FRAMES) {
            throw new IllegalArgumentException("receiveBurstFrames must be 1 to 64: " + receiveBurstFrames);
        }
        if (engines < 1 || engines > io.mtcp4j.stack.device.NetDevice.MAX_QUEUES) {
            throw new IllegalArgumentException("engines must be 1 to " + io.mtcp4j.stack.device.NetDevice.MAX_QUEUES
                    + ": engines=" + engines);
        }
        if (commandsPerLoop < 1 || timerExpiriesPerLoop < 1 || expectedFlows < 1) {
            throw new IllegalArgumentException("commandsPerLoop, timerExpiriesPerLoop and expectedFlows must be positive: "
                    + commandsPerLoop + ", " + timerExpiriesPerLoop + ", " + expectedFlows);
        }
        if (ringPoolIdleBytes < 0) {
            throw new IllegalArgumentException("ringPoolIdleBytes must not be negative: " + ringPoolIdleBytes);
        }
    }

    /**
     * Default TCP settings, Linux's ephemeral range, bursts of 64, 64 commands and 256 timers per
     * loop, 1024 flows, one engine, 64 MiB of idle rings.
     */
    public static EngineConfig of(StackAddresses addresses) {
        return new EngineConfig(addresses, TcpConfig.defaults(), DEFAULT_FIRST_EPHEMERAL_PORT, DEFAULT_LAST_EPHEMERAL_PORT,
                64, 64, 256, 1024, NeighborConfig.defaults(), 1, DEFAULT_RING_POOL_IDLE_BYTES);
    }

    public EngineConfig withTcp(TcpConfig newTcp) {
        return new EngineConfig(addresses, newTcp, firstEphemeralPort, lastEphemeralPort, receiveBurstFrames,
                commandsPerLoop, timerExpiriesPerLoop, expectedFlows, neighbors, engines, ringPoolIdleBytes);
    }

    public EngineConfig withEphemeralPorts(int first, int last) {
        return new EngineConfig(addresses, tcp, first, last, receiveBurstFrames,
                commandsPerLoop, timerExpiriesPerLoop, expectedFlows, neighbors, engines, ringPoolIdleBytes);
    }

    public EngineConfig withEngines(int newEngines) {
        return new EngineConfig(addresses, tcp, firstEphemeralPort, lastEphemeralPort, receiveBurstFrames,
                commandsPerLoop, timerExpiriesPerLoop, expectedFlows, neighbors, newEngines, ringPoolIdleBytes);
    }

    public EngineConfig withRingPoolIdleBytes(long bytes) {
        return new EngineConfig(addresses, tcp, firstEphemeralPort, lastEphemeralPort, receiveBurstFrames,
                commandsPerLoop, timerExpiriesPerLoop, expectedFlows, neighbors, engines, bytes);
    }
}
