package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.DeviceConfig;
import io.mtcp4j.stack.device.DeviceFactory;
import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.device.Offload;
import io.mtcp4j.stack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/** The {@code tap} device through {@link java.util.ServiceLoader}, and its keys. */
class TapDeviceFactoryTest {
    @Test
    void theTapFactoryIsFoundByName() {
        assertTrue(DeviceFactory.available().containsKey("tap"), DeviceFactory.available().keySet().toString());
        assertTrue(DeviceFactory.available().containsKey("loop"));
        assertInstanceOf(TapDeviceFactory.class, DeviceFactory.named("tap"));
    }

    @Test
    void defaultsAreMtcp0WithOffloadsAndOneQueue() {
        TapDevice.Options options = TapDeviceFactory.options(DeviceConfig.EMPTY);
        assertEquals("mtcp0", options.interfaceName());
        assertEquals(1, options.queues());
        assertTrue(options.offloads());
        assertFalse(options.create());
        assertEquals(TapDevice.Options.INTERFACE_MTU, options.mtu());
        assertEquals(TapDevice.Options.DERIVED_MAC, options.macAddress());
        assertEquals(TapDevice.Options.INTERFACE_QUEUE_LENGTH, options.transmitQueueLength());
    }

    @Test
    void everyKeyIsRead() {
        TapDevice.Options options = TapDeviceFactory.options(DeviceConfig.of("ifname", "tap7", "queues", "4",
                "mtu", "9000", "mac", "02:00:00:00:00:09", "offloads", "false", "create", "true",
                "transmit_buffers", "256", "txqueuelen", "5000"));
        assertEquals(new TapDevice.Options("tap7", 4, 9000, MacAddress.parse("02:00:00:00:00:09"), false, true, 256, 5000),
                options);
    }

    @Test
    void badKeysAndValuesNameTheKeyTheValueAndWhatIsAllowed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> TapDeviceFactory.options(DeviceConfig.of("interface", "mtcp0")));
        assertTrue(unknown.getMessage().contains("unknown key 'interface' for device tap"), unknown.getMessage());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> TapDeviceFactory.options(DeviceConfig.of("ifname", "a/very/long/name/indeed")));
        assertTrue(name.getMessage().contains("ifname=a/very/long/name/indeed"), name.getMessage());
        IllegalArgumentException queues = assertThrows(IllegalArgumentException.class,
                () -> TapDeviceFactory.options(DeviceConfig.of("queues", "65")));
        assertTrue(queues.getMessage().contains("queues=65") && queues.getMessage().contains("1 to 64"), queues.getMessage());
        IllegalArgumentException mac = assertThrows(IllegalArgumentException.class,
                () -> TapDeviceFactory.options(DeviceConfig.of("mac", "01:00:5e:00:00:01")));
        assertTrue(mac.getMessage().contains("unicast"), mac.getMessage());
        IllegalArgumentException offloads = assertThrows(IllegalArgumentException.class,
                () -> TapDeviceFactory.options(DeviceConfig.of("offloads", "maybe")));
        assertTrue(offloads.getMessage().contains("true or false"), offloads.getMessage());
    }

    @Test
    void createdThroughTheFactoryAsTheReadmeShows() {
        Privileges.requireNetAdmin();
        String name = TestTap.uniqueName();
        try (NetDevice device = DeviceFactory.create("tap", DeviceConfig.of("ifname", name, "queues", "2", "create", "true"))) {
            TapDevice tap = assertInstanceOf(TapDevice.class, device);
            assertTrue(tap.createdInterface());
            assertEquals(2, device.queueCount());
            assertEquals(name, device.name());
            assertEquals(1500, device.mtu(), "a new TAP interface's MTU");
            assertEquals(1518, device.maxFrameBytes());
            assertTrue(device.supports(Offload.TX_CHECKSUM) && device.supports(Offload.RX_CHECKSUM));
            assertFalse(device.supports(Offload.TSO));
            assertEquals(0x02_6d_74L, device.macAddress() >>> 24, "locally administered, derived from the name");
            assertTrue(Commands.linkExists(name));
        }
        assertFalse(Commands.linkExists(name), "the temporary interface went with the device");
    }
}
