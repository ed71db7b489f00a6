package io.mtcp4j.provider;

import io.mtcp4j.stack.api.StackChannel;
import java.nio.channels.SelectableChannel;

/**
 * What an {@link MtcpSelector} needs from a channel it serves: the stack channel whose readiness
 * events it subscribes to and the kernel channel it registers with its inner JDK selector,
 * either of which may appear after registration (a channel decides its backend when it binds or
 * connects, and then tells its keys through {@link SelectorKeys#backendChanged()}).
 */
interface Selectable {
    /** The stack side, or null (none, or not yet). */
    StackChannel stackChannel();

    /** The kernel side (a channel of the platform provider), or null (none, or not yet). */
    SelectableChannel kernelChannel();

    /** This channel's keys with mtcp4j selectors, or null for a platform channel (which has no stack side). */
    SelectorKeys selectorKeys();

    /** A platform provider's channel registered directly with an mtcp4j selector: kernel only. */
    static Selectable platform(SelectableChannel channel) {
        return new Selectable() {
            @Override
            public StackChannel stackChannel() {
                return null;
            }

            @Override
            public SelectableChannel kernelChannel() {
                return channel;
            }

            @Override
            public SelectorKeys selectorKeys() {
                return null;
            }
        };
    }
}
