package org.volumedriver.monitoring.internal;

import java.util.regex.Pattern;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The object names of the bundle's MBeans, all in domain {@value #DOMAIN}: Karaf's JMX guard looks
 * up their ACL under PID {@code jmx.acl.org.volumedriver} (then {@code jmx.acl}).
 */
final class JmxNames {

    static final String DOMAIN = "org.volumedriver";
    static final String EXECUTOR = DOMAIN + ":type=executor";
    static final String RECONCILER = DOMAIN + ":type=reconciler";

    /** A driver type that needs no quoting in an object name. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._-]+");

    private JmxNames() {
    }

    /**
     * @param type a driver type
     * @return {@code org.volumedriver:type=driver,name=<type>}, the type quoted when it holds
     *         characters an object name reserves
     */
    static ObjectName driver(String type) {
        return name(DOMAIN + ":type=driver,name=" + (PLAIN.matcher(type).matches() ? type : ObjectName.quote(type)));
    }

    /**
     * @param name an object name the bundle builds
     * @return it, parsed
     */
    static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("not an object name: " + name, e);
        }
    }
}
