package org.volumedriver.testsupport;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Typed component configurations built the way Declarative Services builds them for an
 * activate or modified method: an instance of the configuration annotation whose methods answer
 * the given values, and the annotation's defaults for everything else.
 */
public final class ComponentConfigs {

    private ComponentConfigs() {
    }

    /**
     * @param <A> the configuration annotation
     * @param type the configuration annotation, for example {@code LibvirtConfig.class}
     * @param values values by method name (for example {@code source_types}); arrays for
     *        multi-valued methods
     * @return the configuration
     * @throws IllegalArgumentException if a key names no method of the annotation: a misspelt key
     *         would otherwise silently test the default
     */
    public static <A extends Annotation> A of(Class<A> type, Map<String, ?> values) {
        Set<String> names = Arrays.stream(type.getDeclaredMethods()).map(Method::getName).collect(Collectors.toSet());
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(names);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no method " + unknown);
        }
        Map<String, Object> copy = new TreeMap<>(values);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> type.getSimpleName() + copy;
                };
            }
            if (method.getName().equals("annotationType")) {
                return type;
            }
            return copy.containsKey(method.getName()) ? copy.get(method.getName()) : method.getDefaultValue();
        }));
    }

    /**
     * @param <A> the configuration annotation
     * @param type the configuration annotation
     * @return the configuration with every default
     */
    public static <A extends Annotation> A defaults(Class<A> type) {
        return of(type, Map.of());
    }
}
