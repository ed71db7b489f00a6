package io.mtcp4j.stack.device;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Creates devices of one kind, found by name through {@link ServiceLoader}: the stack ships
 * {@code loop}; the driver modules add {@code tap} and {@code afxdp} by listing their factory in
 * {@code META-INF/services/io.mtcp4j.stack.device.DeviceFactory}. The stack itself never depends on
 * a driver (dependencies point one way: stack <- drivers).
 *
 * <p>An implementation has a public no-argument constructor and is stateless or thread-safe.
 */
public interface DeviceFactory {
    /** The name configurations use to pick this factory ({@code driver=loop}): lowercase, short. */
    String name();

    /** One line saying what the devices are, for error messages and listings. */
    String description();

    /**
     * Creates a device.
     *
     * @throws IllegalArgumentException if a setting is unknown or invalid; the message names the
     *                                  key, the value and what is allowed
     */
    NetDevice create(DeviceConfig config);

    /**
     * The factory called {@code name}, looked up with the thread's context class loader and this
     * interface's own loader.
     *
     * @throws IllegalArgumentException naming the available devices, if none is called {@code name}
     */
    static DeviceFactory named(String name) {
        Map<String, DeviceFactory> factories = available();
        DeviceFactory factory = factories.get(name);
        if (factory == null) {
            List<String> choices = new ArrayList<>();
            factories.values().forEach(f -> choices.add(f.name() + " (" + f.description() + ")"));
            throw new IllegalArgumentException("unknown device '" + name + "'; available devices: "
                    + (choices.isEmpty() ? "none" : String.join(", ", choices)));
        }
        return factory;
    }

    /** Every factory on the class path, by name, sorted; the first found wins a duplicated name. */
    static Map<String, DeviceFactory> available() {
        Map<String, DeviceFactory> found = new LinkedHashMap<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader own = DeviceFactory.class.getClassLoader();
        for (ClassLoader loader : context == null || context == own
                ? new ClassLoader[] {own} : new ClassLoader[] {context, own}) {
            try {
                for (DeviceFactory factory : ServiceLoader.load(DeviceFactory.class, loader)) {
                    found.putIfAbsent(factory.name(), factory);
                }
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("a device factory on the class path failed to load: " + e.getMessage(), e);
            }
        }
        Map<String, DeviceFactory> sorted = new LinkedHashMap<>();
        found.keySet().stream().sorted().forEach(key -> sorted.put(key, found.get(key)));
        return sorted;
    }

    /** {@code named(name).create(config)}. */
    static NetDevice create(String name, DeviceConfig config) {
        return named(name).create(config);
    }
}
