package org.volumedriver.libvirt.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import org.volumedriver.spi.InvalidConfigurationException;

/** Builds typed configurations the way Declarative Services does: defaults plus overrides. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /**
     * @param overrides values by method name ({@code source_types}, {@code formats}, ...)
     * @return a configuration with the annotation's defaults for everything else
     */
    static LibvirtConfig config(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(overrides);
        return (LibvirtConfig) Proxy.newProxyInstance(LibvirtConfig.class.getClassLoader(), new Class<?>[] {LibvirtConfig.class},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class || "annotationType".equals(method.getName())) {
                        return switch (method.getName()) {
                            case "annotationType" -> LibvirtConfig.class;
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "LibvirtConfig" + values;
                        };
                    }
                    return values.containsKey(method.getName()) ? values.get(method.getName()) : defaultOf(method);
                });
    }

    static LibvirtConfig defaults() {
        return config(Map.of());
    }

    static DiskPolicy policy(Map<String, Object> overrides) {
        try {
            return DiskPolicy.from(config(overrides));
        } catch (InvalidConfigurationException e) {
            throw new AssertionError(e);
        }
    }

    public static DiskPolicy defaultPolicy() {
        return policy(Map.of());
    }

    private static Object defaultOf(Method method) {
        return method.getDefaultValue();
    }
}
