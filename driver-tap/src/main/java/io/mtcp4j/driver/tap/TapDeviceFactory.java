package io.mtcp4j.driver.tap;

import io.mtcp4j.stack.device.DeviceConfig;
import io.mtcp4j.stack.device.DeviceFactory;
import io.mtcp4j.stack.device.NetDevice;
import java.util.Set;

/**
 * The {@code tap} device: a Linux TAP interface ({@link TapDevice}), registered for
 * {@link java.util.ServiceLoader}.
 *
 * <p>Keys (all optional):
 * <ul>
 *   <li>{@code ifname}: the interface, default {@code mtcp0} (what {@code ./mtcp4j net up} creates);</li>
 *   <li>{@code queues}: queues, one per engine, 1 to 64, default 1;</li>
 *   <li>{@code mtu}: sets the interface's MTU (68 to 65521); default: keep the interface's;</li>
 *   <li>{@code mac}: mtcp4j's own MAC address on the link; default: derived from the interface name;</li>
 *   <li>{@code offloads}: checksum offload through the vnet header, default true; false sends and
 *       receives plain, fully checksummed frames;</li>
 *   <li>{@code create}: create a temporary interface (gone when the device closes) if none of
 *       that name exists, default false;</li>
 *   <li>{@code transmit_buffers}: per queue, default 128;</li>
 *   <li>{@code txqueuelen}: sets the interface's queue length (frames the kernel holds for each
 *       queue before dropping); default: keep the interface's.</li>
 * </ul>
 */
public final class TapDeviceFactory implements DeviceFactory {
    public static final String NAME = "tap";
    private static final Set<String> KEYS = Set.of(
            "ifname", "queues", "mtu", "mac", "offloads", "create", "transmit_buffers", "txqueuelen");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Linux TAP interface (ifname=mtcp0 by default; ./mtcp4j net up creates it; needs CAP_NET_ADMIN)";
    }

    /** The device's settings from {@code config}; fails on a bad key or value, opens nothing. */
    public static TapDevice.Options options(DeviceConfig config) {
        config.requireOnly(NAME, KEYS);
        String ifname = config.string("ifname", TapDevice.Options.DEFAULT_INTERFACE);
        if (!LinuxTun.validInterfaceName(ifname)) {
            throw DeviceConfig.invalid("ifname", ifname, "a Linux interface name of 1 to 15 bytes without '/', ':' or spaces");
        }
        int mtu = config.integer("mtu", TapDevice.Options.INTERFACE_MTU, TapDevice.MINIMUM_MTU, TapDevice.MAXIMUM_MTU);
        long mac = config.mac("mac", TapDevice.Options.DERIVED_MAC);
        if (mac != TapDevice.Options.DERIVED_MAC && ((mac >>> 40) & 1) != 0) {
            throw DeviceConfig.invalid("mac", config.string("mac", ""), "a unicast MAC address (the first byte even)");
        }
        return new TapDevice.Options(ifname,
                config.integer("queues", 1, 1, NetDevice.MAX_QUEUES),
                mtu,
                mac,
                config.bool("offloads", true),
                config.bool("create", false),
                config.integer("transmit_buffers", TapDevice.Options.DEFAULT_TRANSMIT_BUFFERS, 1, 1 << 16),
                config.integer("txqueuelen", TapDevice.Options.INTERFACE_QUEUE_LENGTH, 1, 1 << 20));
    }

    @Override
    public NetDevice create(DeviceConfig config) {
        return TapDevice.open(options(config));
    }
}
