package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.VolumeReconciler;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDriver;

/** The MBeans follow the services: registered while their service is there, and only while active. */
class JmxComponentTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final JmxComponent component = new JmxComponent();

    private Set<String> names() throws Exception {
        Set<String> names = new TreeSet<>();
        server.queryNames(new ObjectName("org.volumedriver:*"), null).forEach(n -> names.add(n.getCanonicalName()));
        return names;
    }

    private static Map<String, Object> props(String type, long id, int ranking) {
        return Map.of(VolumeDriver.TYPE_PROPERTY, type, "service.id", id, "service.ranking", ranking);
    }

    @Test
    void mbeansComeAndGoWithTheirServices() throws Exception {
        Field field = JmxComponent.class.getDeclaredField("server");
        field.setAccessible(true);
        field.set(component, server);
        FakeVolumeDriver fake = new FakeVolumeDriver("fake");
        FakeVolumeDriver better = new FakeVolumeDriver("fake");
        better.counters.put("ranked", 1L);
        FakeVolumeDriver other = new FakeVolumeDriver("other");
        component.bindDriver(fake, props("fake", 1, 0));
        assertEquals(Set.of(), names(), "nothing before activation");

        component.activate();
        assertEquals(Set.of("org.volumedriver:name=fake,type=driver"), names());

        component.bindDriver(better, props("fake", 2, 10));
        component.bindDriver(other, props("other", 3, 0));
        FakeExecutor executor = new FakeExecutor();
        component.bindExecutor(executor);
        VolumeReconciler reconciler = dryRun -> null;
        component.bindReconciler(reconciler);
        assertEquals(Set.of("org.volumedriver:name=fake,type=driver", "org.volumedriver:name=other,type=driver",
                "org.volumedriver:type=executor", "org.volumedriver:type=reconciler"), names());
        // the highest ranking serves a type
        assertEquals(1, ((javax.management.openmbean.TabularData) server.getAttribute(JmxNames.driver("fake"), "Counters")).size());

        component.unbindDriver(fake);
        component.unbindDriver(better);
        component.unbindExecutor(new FakeExecutor());
        assertEquals(Set.of("org.volumedriver:name=other,type=driver", "org.volumedriver:type=executor",
                "org.volumedriver:type=reconciler"), names());
        component.unbindExecutor(executor);
        component.unbindReconciler(reconciler);
        assertEquals(Set.of("org.volumedriver:name=other,type=driver"), names());

        component.deactivate();
        assertEquals(Set.of(), names());
    }
}
