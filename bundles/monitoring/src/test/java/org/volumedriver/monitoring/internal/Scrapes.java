package org.volumedriver.monitoring.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.volumedriver.monitoring.testing.ExpositionParser;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Scrapes of a registry through the endpoint, parsed strictly. */
final class Scrapes {

    private Scrapes() {
    }

    static String text(PrometheusMeterRegistry registry, Runnable beforeScrape) {
        try {
            MetricsEndpoint.Scrape scrape = new MetricsEndpoint(registry, beforeScrape).scrape(null);
            return new String(scrape.body(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ExpositionParser.Exposition parsed(PrometheusMeterRegistry registry, Runnable beforeScrape) {
        return ExpositionParser.parse(text(registry, beforeScrape));
    }
}
