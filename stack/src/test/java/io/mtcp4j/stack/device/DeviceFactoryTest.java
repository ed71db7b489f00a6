package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.MacAddress;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceFactoryTest {
    @Test
    void serviceLoaderFindsLoop() {
        Map<String, DeviceFactory> available = DeviceFactory.available();
        assertTrue(available.containsKey("loop"), available.keySet().toString());
        DeviceFactory loop = DeviceFactory.named("loop");
        assertInstanceOf(LoopDeviceFactory.class, loop);
        assertEquals("loop", loop.name());
    }

    @Test
    void anUnknownNameListsTheAvailableDevices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceFactory.named("tap"));
        assertEquals("unknown device 'tap'; available devices: loop (in-process loopback device, "
                + "or one end of a linked pair with link=<name>)", e.getMessage());
    }

    @Test
    void loopWithoutALinkIsALoopbackDeviceWithDefaults() {
        try (NetDevice device = DeviceFactory.create("loop", DeviceConfig.EMPTY)) {
            LoopDevice loop = assertInstanceOf(LoopDevice.class, device);
            assertTrue(loop.isLoopback());
            assertEquals("loop0", device.name());
            assertEquals(1, device.queueCount());
            assertEquals(1500, device.mtu());
            assertEquals(LoopDevice.DEFAULT_MAC, device.macAddress());
            assertEquals(EnumSet.of(Offload.RX_CHECKSUM, Offload.TX_CHECKSUM), device.offloads());
        }
    }

    @Test
    void settingsReachTheDevice() {
        DeviceConfig config = DeviceConfig.of("name", "lo9", "queues", "4", "mtu", "9000", "mac", "02:aa:bb:cc:dd:ee",
                "queue_depth", "256", "checksum_offload", "TRUE", "tso", "true", "transmit_buffers", "64");
        try (NetDevice device = DeviceFactory.named("loop").create(config)) {
            LoopDevice loop = (LoopDevice) device;
            assertEquals("lo9", device.name());
            assertEquals(4, device.queueCount());
            assertEquals(9000, device.mtu());
            assertEquals(MacAddress.parse("02:aa:bb:cc:dd:ee"), device.macAddress());
            assertEquals(256, loop.options().queueDepth());
            assertEquals(64, loop.options().transmitBuffers());
            assertTrue(device.supports(Offload.TSO));
            assertEquals(4, device.steering() instanceof RssSteering rss ? rss.queueCount() : -1);
        }
    }

    @Test
    void tsoQueuesAreShallowerByDefault() {
        try (NetDevice device = DeviceFactory.create("loop", DeviceConfig.of("tso", "true"))) {
            assertEquals(LoopDeviceFactory.TSO_QUEUE_DEPTH, ((LoopDevice) device).options().queueDepth());
            assertEquals(65_553, device.maxFrameBytes());
        }
    }

    @Test
    void twoDevicesWithTheSameLinkAreWiredTogether() {
        try (NetDevice a = DeviceFactory.create("loop", DeviceConfig.of("link", "factory-link"));
             NetDevice b = DeviceFactory.create("loop", DeviceConfig.of("link", "factory-link", "queues", "2"))) {
            assertEquals("factory-link-a", a.name());
            assertEquals("factory-link-b", b.name());
            assertSame(b, ((LoopDevice) a).peer());
            assertEquals(LoopDevice.DEFAULT_MAC + 1, b.macAddress());
            FrameBatch batch = new FrameBatch();
            TestFrames.sendTcp4(a, 0, batch, 1, 2, 3, 4, 5, 6);
            assertEquals(1, a.transmit(0, batch));
            int received = 0;
            for (int q = 0; q < b.queueCount(); q++) {
                received += b.receive(q, batch);
            }
            assertEquals(1, received);
        }
    }

    @Test
    void badSettingsNameTheKeyTheValueAndWhatIsAllowed() {
        DeviceFactory loop = DeviceFactory.named("loop");
        assertEquals("device setting queues=0 is not allowed: expected an integer from 1 to 64",
                assertThrows(IllegalArgumentException.class, () -> loop.create(DeviceConfig.of("queues", "0"))).getMessage());
        assertEquals("device setting mtu=big is not allowed: expected an integer from 68 to 65535",
                assertThrows(IllegalArgumentException.class, () -> loop.create(DeviceConfig.of("mtu", "big"))).getMessage());
        assertEquals("device setting queue_depth=1000 is not allowed: expected a power of two from 2 to 65536",
                assertThrows(IllegalArgumentException.class, () -> loop.create(DeviceConfig.of("queue_depth", "1000"))).getMessage());
        assertEquals("device setting tso=yes is not allowed: expected true or false",
                assertThrows(IllegalArgumentException.class, () -> loop.create(DeviceConfig.of("tso", "yes"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> loop.create(DeviceConfig.of("mac", "02:00:00"))).getMessage().startsWith("device setting mac=02:00:00"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> loop.create(DeviceConfig.of("tso", "true", "checksum_offload", "false"))).getMessage()
                .contains("TSO needs checksum offload"));
    }

    @Test
    void aMisspeltKeyIsReportedWithTheKnownKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceFactory.create("loop", DeviceConfig.of("queue", "2")));
        assertEquals("unknown key 'queue' for device loop; known keys: checksum_offload, link, mac, mtu, name, "
                + "queue_depth, queues, transmit_buffers, tso", e.getMessage());
    }

    @Test
    void configIsAnImmutableSortedCopy() {
        java.util.HashMap<String, String> source = new java.util.HashMap<>(Map.of("b", "2", "a", "1"));
        DeviceConfig config = new DeviceConfig(source);
        source.put("c", "3");
        assertFalse(config.has("c"));
        assertEquals("{a=1, b=2}", config.toString());
        assertEquals("{a=1, b=5}", config.with("b", "5").toString());
        assertThrows(UnsupportedOperationException.class, () -> config.values().put("d", "4"));
        assertEquals(1_000_000L, DeviceConfig.of("n", "1_000_000").longValue("n", 0, 0, Long.MAX_VALUE));
    }
}
