package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.volumedriver.monitoring.testing.ExpositionParser;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDriver;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The component's services as the framework sees them, and the servlet as a container calls it. */
class MetricsComponentTest {

    /** One service registration the component made, live until unregistered. */
    private static final class Registered {
        final String type;
        final Object service;
        final Map<String, Object> properties = new HashMap<>();
        boolean live = true;

        Registered(String type, Object service, Dictionary<?, ?> props) {
            this.type = type;
            this.service = service;
            for (Object key : Collections.list(props.keys())) {
                properties.put((String) key, props.get(key));
            }
        }
    }

    private final List<Registered> registrations = new ArrayList<>();
    private final MetricsComponent component = new MetricsComponent();

    @AfterEach
    void deactivate() {
        if (registrations.stream().anyMatch(r -> r.live && r.type.equals(MeterRegistry.class.getName()))) {
            component.deactivate();
        }
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("registerService") || !(args[0] instanceof Class<?> type)) {
                        throw new UnsupportedOperationException(method.toString());
                    }
                    Registered r = new Registered(type.getName(), args[1], (Dictionary<?, ?>) args[2]);
                    registrations.add(r);
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                            (p, m, a) -> {
                                if (!m.getName().equals("unregister")) {
                                    throw new UnsupportedOperationException(m.toString());
                                }
                                r.live = false;
                                return null;
                            });
                });
    }

    private List<Registered> live(Class<?> type) {
        return registrations.stream().filter(r -> r.live && r.type.equals(type.getName())).toList();
    }

    @Test
    void oneMeterRegistryAndTheServletOnTheDefaultPath() throws Exception {
        component.activate(context(), Map.of());

        Registered registry = live(MeterRegistry.class).get(0);
        assertEquals(1, live(MeterRegistry.class).size());
        assertEquals("prometheus", registry.properties.get("volumedriver.registry"));
        Registered servlet = live(Servlet.class).get(0);
        assertEquals("/metrics", servlet.properties.get("osgi.http.whiteboard.servlet.pattern"));
        assertEquals("volumedriver-metrics", servlet.properties.get("osgi.http.whiteboard.servlet.name"));

        // what a producer records appears in the servlet's answer, with the driver meters beside it
        FakeVolumeDriver fake = new FakeVolumeDriver("fake");
        component.bindDriver(fake, Map.of(VolumeDriver.TYPE_PROPERTY, "fake", "service.id", 7L));
        Timer.builder("volumedriver.connect").tags("driver", "fake", "outcome", "ok").register((MeterRegistry) registry.service)
                .record(java.time.Duration.ofMillis(3));
        Answer answer = get((HttpServlet) servlet.service, null);
        assertEquals(200, answer.status);
        assertEquals("text/plain; version=0.0.4; charset=utf-8", answer.contentType);
        assertEquals("no-store", answer.headers.get("Cache-Control"));
        assertEquals(answer.body.length, answer.contentLength);
        ExpositionParser.Exposition e = ExpositionParser.parse(new String(answer.body, StandardCharsets.UTF_8));
        assertEquals(1, e.value("volumedriver_connect_seconds_count", Map.of("driver", "fake")));
        assertEquals(0, e.value("volumedriver_attachments", Map.of("driver", "fake")));
    }

    @Test
    void aChangedPathMovesTheServletAndABadOneKeepsThePrevious() {
        component.activate(context(), Map.of());
        component.modified(Map.of("metrics.path", "/volumedriver/metrics"));
        assertEquals(List.of("/volumedriver/metrics"),
                live(Servlet.class).stream().map(r -> r.properties.get("osgi.http.whiteboard.servlet.pattern")).toList());

        component.modified(Map.of("metrics.path", "/*"));
        assertEquals(List.of("/volumedriver/metrics"),
                live(Servlet.class).stream().map(r -> r.properties.get("osgi.http.whiteboard.servlet.pattern")).toList());

        component.modified(Map.of("metrics.enabled", "false"));
        assertEquals(List.of(), live(Servlet.class));
        assertEquals(1, live(MeterRegistry.class).size(), "the registry stays for the producers");

        component.deactivate();
        assertEquals(List.of(), live(MeterRegistry.class));
        assertEquals(List.of(), live(Servlet.class));
    }

    @Test
    void aBadConfigurationAtActivationServesNoMetricsButKeepsTheRegistry() {
        component.activate(context(), Map.of("metrics.mounts.cache.seconds", "soon"));
        assertEquals(1, live(MeterRegistry.class).size());
        assertEquals(List.of(), live(Servlet.class));
        component.modified(Map.of());
        assertEquals(1, live(Servlet.class).size());
    }

    @Test
    void openMetricsIsNegotiatedAndAFailedScrapeIsA500WithoutBody() throws Exception {
        component.activate(context(), Map.of());
        HttpServlet servlet = (HttpServlet) live(Servlet.class).get(0).service;
        Answer open = get(servlet, "application/openmetrics-text; version=1.0.0");
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", open.contentType);
        assertTrue(new String(open.body, StandardCharsets.UTF_8).endsWith("# EOF\n"));

        MetricsServlet failing = new MetricsServlet(new MetricsEndpoint(MetricsComponent.newRegistry(), () -> {
            throw new IllegalStateException("gathering broke");
        }));
        Answer failed = get(failing, null);
        assertEquals(500, failed.status);
        assertEquals(0, failed.body.length);
    }

    /** What the servlet answered. */
    private static final class Answer {
        int status = 200;
        String contentType;
        int contentLength = -1;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] body;
    }

    private Answer get(HttpServlet servlet, String accept) throws Exception {
        Answer answer = new Answer();
        ServletOutputStream stream = new ServletOutputStream() {
            @Override
            public void write(int b) {
                answer.out.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                    case "getMethod" -> "GET";
                    case "getHeader" -> "Accept".equalsIgnoreCase((String) a[0]) ? accept : null;
                    case "getProtocol" -> "HTTP/1.1";
                    default -> throw new UnsupportedOperationException(m.toString());
                });
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> switch (m.getName()) {
                    case "setStatus" -> {
                        answer.status = (Integer) a[0];
                        yield null;
                    }
                    case "sendError" -> {
                        answer.status = (Integer) a[0];
                        yield null;
                    }
                    case "setContentType" -> {
                        answer.contentType = (String) a[0];
                        yield null;
                    }
                    case "setContentLength" -> {
                        answer.contentLength = (Integer) a[0];
                        yield null;
                    }
                    case "setHeader" -> {
                        answer.headers.put((String) a[0], (String) a[1]);
                        yield null;
                    }
                    case "getOutputStream" -> stream;
                    default -> throw new UnsupportedOperationException(m.toString());
                });
        servlet.service(request, response);
        answer.body = answer.out.toByteArray();
        assertInstanceOf(byte[].class, answer.body);
        return answer;
    }
}
