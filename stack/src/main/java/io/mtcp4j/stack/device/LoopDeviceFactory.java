package io.mtcp4j.stack.device;

import java.util.Set;

/**
 * The {@code loop} device: in-process {@link LoopDevice}s, registered for {@link java.util.ServiceLoader}.
 *
 * <p>Keys (all optional):
 * <ul>
 *   <li>{@code link}: the name of a linked pair; the first device created with a name is one end,
 *       the second the other. Without it the device is a loopback device.</li>
 *   <li>{@code name}: the device's name; default {@code loop0}, or the link name with {@code -a} /
 *       {@code -b}.</li>
 *   <li>{@code queues} (1 to 64, default 1), {@code mtu} (68 to 65535, default 1500),
 *       {@code mac} (default 02:00:00:00:00:01; a link's second end gets the next address if it
 *       asks for the first end's), {@code queue_depth} (frames per receive queue, a power of two
 *       from 2 to 65536, default 1024, or 256 with TSO), {@code transmit_buffers} (per queue, default 128),
 *       {@code checksum_offload} (default true), {@code tso} (default false).</li>
 * </ul>
 */
public final class LoopDeviceFactory implements DeviceFactory {
    public static final String NAME = "loop";
    /** Default frames per receive queue with TSO, whose slots are 64 KiB each. */
    public static final int TSO_QUEUE_DEPTH = 256;
    private static final Set<String> KEYS = Set.of(
            "link", "name", "queues", "mtu", "mac", "queue_depth", "transmit_buffers", "checksum_offload", "tso");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "in-process loopback device, or one end of a linked pair with link=<name>";
    }

    @Override
    public NetDevice create(DeviceConfig config) {
        config.requireOnly(NAME, KEYS);
        String link = config.string("link", null);
        if (link != null && link.isBlank()) {
            throw DeviceConfig.invalid("link", link, "a non-empty link name");
        }
        boolean checksumOffload = config.bool("checksum_offload", true);
        boolean tso = config.bool("tso", false);
        if (tso && !checksumOffload) {
            throw DeviceConfig.invalid("tso", "true", "false while checksum_offload=false (TSO needs checksum offload)");
        }
        // A TSO slot holds a 64 KiB super-frame: fewer of them keep a queue near 16 MiB.
        int queueDepth = config.integer("queue_depth", tso ? TSO_QUEUE_DEPTH : LoopDevice.Options.DEFAULT_QUEUE_DEPTH,
                2, 65_536);
        if (Integer.bitCount(queueDepth) != 1) {
            throw DeviceConfig.invalid("queue_depth", config.string("queue_depth", ""), "a power of two from 2 to 65536");
        }
        LoopDevice.Options options = new LoopDevice.Options(
                config.string("name", "loop0"),
                config.integer("queues", 1, 1, NetDevice.MAX_QUEUES),
                config.integer("mtu", LoopDevice.Options.DEFAULT_MTU, LoopDevice.Options.MINIMUM_MTU, 65_535),
                config.mac("mac", LoopDevice.DEFAULT_MAC),
                queueDepth,
                checksumOffload,
                tso,
                config.integer("transmit_buffers", LoopDevice.Options.DEFAULT_TRANSMIT_BUFFERS, 1, 1 << 16));
        if (link == null) {
            return LoopDevice.loopback(options);
        }
        return LoopDevice.attach(link, options, !config.has("name"));
    }
}
