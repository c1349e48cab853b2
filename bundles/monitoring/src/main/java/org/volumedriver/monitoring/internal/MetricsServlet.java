package org.volumedriver.monitoring.internal;

import java.io.IOException;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics over HTTP: GET (and HEAD) answer a whole scrape in the format the {@code Accept}
 * header asks for. The scrape is written into memory first, so a failure is a 500 and never a
 * truncated body that Prometheus would half read.
 */
final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServlet.class);

    private final transient MetricsEndpoint endpoint;

    MetricsServlet(MetricsEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        MetricsEndpoint.Scrape scrape;
        try {
            scrape = endpoint.scrape(request.getHeader("Accept"));
        } catch (IOException | RuntimeException e) {
            LOG.error("metrics scrape failed", e);
            response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "metrics scrape failed");
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(scrape.contentType());
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(scrape.body().length);
        response.getOutputStream().write(scrape.body());
    }
}
