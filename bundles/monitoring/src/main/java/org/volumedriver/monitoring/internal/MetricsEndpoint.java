package org.volumedriver.monitoring.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;

/**
 * One scrape: gathers the values the bundle's own meters show, then lets the prometheus-metrics
 * library choose the format from the {@code Accept} header and write the registry in it. Nothing
 * here formats a sample: the text is the library's.
 */
final class MetricsEndpoint {

    /** A written scrape. */
    record Scrape(String contentType, byte[] body) {
    }

    private final PrometheusMeterRegistry registry;
    private final Runnable beforeScrape;
    private final ExpositionFormats formats = ExpositionFormats.init();

    /**
     * @param registry the registry to expose
     * @param beforeScrape gathers the values of the bundle's own meters, bounded in time
     */
    MetricsEndpoint(PrometheusMeterRegistry registry, Runnable beforeScrape) {
        this.registry = registry;
        this.beforeScrape = beforeScrape;
    }

    /**
     * @param accept the request's {@code Accept} header, {@code null} when it sent none
     * @return the content type chosen (Prometheus text 0.0.4 unless OpenMetrics is accepted) and the body
     * @throws IOException if the library fails to write
     */
    Scrape scrape(String accept) throws IOException {
        beforeScrape.run();
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) {
            // the protobuf format is not installed: the best text format the client accepts
            writer = formats.getOpenMetricsTextFormatWriter().accepts(accept) ? formats.getOpenMetricsTextFormatWriter()
                    : formats.getPrometheusTextFormatWriter();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        // the registry picks its writer by the same rule; handing it the chosen type makes both agree
        registry.scrape(body, writer.getContentType());
        return new Scrape(writer.getContentType(), body.toByteArray());
    }
}
