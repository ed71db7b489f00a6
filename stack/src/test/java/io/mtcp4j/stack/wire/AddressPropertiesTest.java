package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** Text forms of {@link MacAddress} and {@link Ipv4Address} round-trip. */
class AddressPropertiesTest {
    @Property
    void macParseUndoesFormat(@ForAll @LongRange(min = 0, max = 0xffff_ffff_ffffL) long address) {
        assertEquals(address, MacAddress.parse(MacAddress.format(address)));
    }

    @Property
    void ipv4ParseUndoesFormat(@ForAll int address) {
        assertEquals(address, Ipv4Address.parse(Ipv4Address.format(address)));
    }
}
