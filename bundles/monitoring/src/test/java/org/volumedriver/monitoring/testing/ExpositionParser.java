package org.volumedriver.monitoring.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 and of OpenMetrics 1.0 text, for
 * tests: anything a scraper could misread is an {@link IllegalArgumentException} naming the line.
 * Checked: line syntax, name and label grammar, escapes, one TYPE per family before its samples,
 * samples of a family together and named after it, no duplicate series, histograms with buckets in
 * increasing {@code le} order ending at {@code +Inf}, cumulative, and a {@code +Inf} bucket equal to
 * {@code _count}; for OpenMetrics also no blank line and a final {@code # EOF}.
 */
public final class ExpositionParser {

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value, OptionalLong timestamp) {
    }

    /** A metric family: its TYPE (untyped/unknown when none was given), HELP, UNIT and samples. */
    public record Family(String name, String type, String help, String unit, List<Sample> samples) {
    }

    /** A parsed exposition. */
    public record Exposition(List<Family> families) {

        /**
         * @param name a family name
         * @return the family
         * @throws AssertionError when there is none
         */
        public Family family(String name) {
            return families.stream().filter(f -> f.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no family " + name + " in " + names()));
        }

        /** @return every sample, in order */
        public List<Sample> samples() {
            return families.stream().flatMap(f -> f.samples().stream()).toList();
        }

        /**
         * @param name a sample name
         * @param labels labels the sample must have (it may have more)
         * @return the value of the only sample that matches, if any
         * @throws AssertionError when more than one matches
         */
        public Optional<Double> find(String name, Map<String, String> labels) {
            List<Sample> matching = samples().stream()
                    .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())).toList();
            if (matching.size() > 1) {
                throw new AssertionError(matching.size() + " samples " + name + labels + ": " + matching);
            }
            return matching.stream().findFirst().map(Sample::value);
        }

        /**
         * @param name a sample name
         * @param labels labels the sample must have
         * @return its value
         * @throws AssertionError when no sample or more than one matches
         */
        public double value(String name, Map<String, String> labels) {
            return find(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + labels));
        }

        /** @return the family names */
        public List<String> names() {
            return families.stream().map(Family::name).toList();
        }
    }

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TEXT_TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final Set<String> OPENMETRICS_TYPES = Set.of("counter", "gauge", "histogram", "gaugehistogram", "stateset",
            "info", "summary", "unknown");

    private final boolean openMetrics;
    private final List<Family> families = new ArrayList<>();
    private final Set<String> closedFamilies = new HashSet<>();
    private final Set<String> series = new HashSet<>();
    private String currentName;
    private String currentType;
    private String currentHelp;
    private String currentUnit;
    private List<Sample> currentSamples;
    private int lineNumber;
    private String line;

    private ExpositionParser(boolean openMetrics) {
        this.openMetrics = openMetrics;
    }

    /**
     * @param text a scrape in the Prometheus text format 0.0.4
     * @return its families
     * @throws IllegalArgumentException at the first deviation
     */
    public static Exposition parse(String text) {
        return new ExpositionParser(false).run(text);
    }

    /**
     * @param text a scrape in OpenMetrics 1.0 text
     * @return its families
     * @throws IllegalArgumentException at the first deviation
     */
    public static Exposition parseOpenMetrics(String text) {
        return new ExpositionParser(true).run(text);
    }

    private Exposition run(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        String[] lines = text.isEmpty() ? new String[0] : text.substring(0, text.length() - 1).split("\n", -1);
        boolean eof = false;
        for (int i = 0; i < lines.length; i++) {
            lineNumber = i + 1;
            line = lines[i];
            if (eof) {
                fail("content after # EOF");
            }
            if (line.indexOf('\r') >= 0) {
                fail("carriage return");
            }
            if (line.isEmpty()) {
                if (openMetrics) {
                    fail("blank line");
                }
                continue;
            }
            if (openMetrics && line.equals("# EOF")) {
                eof = true;
            } else if (line.startsWith("#")) {
                comment();
            } else {
                sample();
            }
        }
        if (openMetrics && !eof) {
            throw new IllegalArgumentException("no # EOF at the end");
        }
        closeFamily();
        return new Exposition(Collections.unmodifiableList(families));
    }

    private void comment() {
        String[] parts = line.split(" ", 4);
        if (parts.length < 3 || !parts[0].equals("#") || !Set.of("HELP", "TYPE", "UNIT").contains(parts[1])) {
            if (openMetrics) {
                fail("not a HELP, TYPE or UNIT line");
            }
            return;
        }
        String name = parts[2];
        if (!METRIC_NAME.matcher(name).matches()) {
            fail("bad metric name " + name);
        }
        if (!name.equals(currentName)) {
            openFamily(name);
        }
        String rest = parts.length == 4 ? parts[3] : "";
        switch (parts[1]) {
            case "HELP" -> {
                if (currentHelp != null) {
                    fail("second HELP for " + name);
                }
                currentHelp = unescape(rest, false);
            }
            case "TYPE" -> {
                if (currentType != null) {
                    fail("second TYPE for " + name);
                }
                if (!currentSamples.isEmpty()) {
                    fail("TYPE after samples of " + name);
                }
                if (!(openMetrics ? OPENMETRICS_TYPES : TEXT_TYPES).contains(rest)) {
                    fail("unknown type " + rest);
                }
                currentType = rest;
            }
            default -> {
                if (!openMetrics) {
                    fail("UNIT is OpenMetrics only");
                }
                currentUnit = rest;
            }
        }
    }

    private void openFamily(String name) {
        closeFamily();
        if (!closedFamilies.add(name)) {
            fail("family " + name + " appears twice (its lines must be together)");
        }
        currentName = name;
        currentType = null;
        currentHelp = null;
        currentUnit = null;
        currentSamples = new ArrayList<>();
    }

    private void closeFamily() {
        if (currentName == null) {
            return;
        }
        String type = currentType != null ? currentType : openMetrics ? "unknown" : "untyped";
        if (type.equals("histogram")) {
            checkHistogram(currentName, currentSamples);
        }
        families.add(new Family(currentName, type, currentHelp == null ? "" : currentHelp, currentUnit == null ? "" : currentUnit,
                List.copyOf(currentSamples)));
        currentName = null;
    }

    private void sample() {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!METRIC_NAME.matcher(name).matches()) {
            fail("bad metric name " + name);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(i + 1, labels);
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            fail("no single space before the value");
        }
        String rest = line.substring(i + 1);
        if (openMetrics) {
            int exemplar = rest.indexOf(" # ");
            if (exemplar >= 0) {
                rest = rest.substring(0, exemplar);
            }
        }
        String[] fields = rest.split(" ", -1);
        if (fields.length < 1 || fields.length > 2 || fields[0].isEmpty()) {
            fail("value and optional timestamp expected");
        }
        double value = number(fields[0]);
        OptionalLong timestamp = OptionalLong.empty();
        if (fields.length == 2) {
            try {
                timestamp = OptionalLong.of(openMetrics ? (long) Double.parseDouble(fields[1]) : Long.parseLong(fields[1]));
            } catch (NumberFormatException e) {
                fail("bad timestamp " + fields[1]);
            }
        }
        String family = familyOf(name);
        if (!family.equals(currentName)) {
            openFamily(family);
        }
        if (!series.add(name + new TreeMap<>(labels))) {
            fail("duplicate series " + name + labels);
        }
        currentSamples.add(new Sample(name, Collections.unmodifiableMap(labels), value, timestamp));
    }

    /** The family a sample belongs to: the current one if the name fits its type, else its own name. */
    private String familyOf(String sample) {
        if (currentName != null) {
            if (sample.equals(currentName)) {
                if (openMetrics && "counter".equals(currentType)) {
                    fail("an OpenMetrics counter sample is named " + currentName + "_total");
                }
                return currentName;
            }
            List<String> suffixes = switch (currentType == null ? "" : currentType) {
                case "histogram", "gaugehistogram" -> List.of("_bucket", "_sum", "_count", "_created", "_gcount", "_gsum");
                case "summary" -> List.of("_sum", "_count", "_created");
                case "counter" -> openMetrics ? List.of("_total", "_created") : List.of();
                case "info" -> List.of("_info");
                default -> List.of();
            };
            for (String suffix : suffixes) {
                if (sample.equals(currentName + suffix)) {
                    return currentName;
                }
            }
        }
        return sample;
    }

    private int labels(int start, Map<String, String> labels) {
        int i = start;
        if (i < line.length() && line.charAt(i) == '}') {
            return i + 1;
        }
        while (true) {
            int eq = line.indexOf('=', i);
            if (eq < 0) {
                fail("label without =");
            }
            String name = line.substring(i, eq);
            if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
                fail("bad label name " + name);
            }
            if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                fail("label value not quoted");
            }
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            while (true) {
                if (j >= line.length()) {
                    fail("label value not closed");
                }
                char c = line.charAt(j);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    if (j + 1 >= line.length()) {
                        fail("escape at the end");
                    }
                    char e = line.charAt(j + 1);
                    switch (e) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> fail("bad escape \\" + e);
                    }
                    j += 2;
                } else {
                    value.append(c);
                    j++;
                }
            }
            if (labels.put(name, value.toString()) != null) {
                fail("label " + name + " twice");
            }
            i = j + 1;
            if (i < line.length() && line.charAt(i) == '}') {
                return i + 1;
            }
            if (i >= line.length() || line.charAt(i) != ',') {
                fail("',' or '}' expected after a label");
            }
            i++;
            if (!openMetrics && i < line.length() && line.charAt(i) == '}') {
                return i + 1; // a trailing comma is allowed in 0.0.4
            }
        }
    }

    private double number(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!text.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                    fail("bad number " + text);
                }
                return Double.parseDouble(text);
        }
    }

    private String unescape(String text, boolean quotes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 >= text.length()) {
                fail("escape at the end");
            }
            char e = text.charAt(++i);
            if (e == '\\') {
                out.append('\\');
            } else if (e == 'n') {
                out.append('\n');
            } else if (e == '"' && (quotes || openMetrics)) {
                out.append('"');
            } else {
                fail("bad escape \\" + e);
            }
        }
        return out.toString();
    }

    private void checkHistogram(String name, List<Sample> samples) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : samples) {
            Map<String, String> key = new TreeMap<>(s.labels());
            if (s.name().equals(name + "_bucket")) {
                String le = key.remove("le");
                if (le == null) {
                    throw new IllegalArgumentException(name + ": bucket without le: " + s);
                }
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            } else if (s.name().equals(name + "_count")) {
                counts.put(key, s.value());
            }
        }
        for (Map.Entry<Map<String, String>, List<Sample>> e : buckets.entrySet()) {
            double previousLe = Double.NEGATIVE_INFINITY;
            double previousValue = 0;
            List<Sample> series = e.getValue();
            for (Sample b : series) {
                double le = number(b.labels().get("le"));
                if (!(le > previousLe)) {
                    throw new IllegalArgumentException(name + e.getKey() + ": le not increasing at " + b.labels().get("le"));
                }
                if (b.value() < previousValue) {
                    throw new IllegalArgumentException(name + e.getKey() + ": buckets not cumulative at le=" + b.labels().get("le"));
                }
                previousLe = le;
                previousValue = b.value();
            }
            if (previousLe != Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(name + e.getKey() + ": no +Inf bucket");
            }
            Double count = counts.get(e.getKey());
            if (count == null || count != previousValue) {
                throw new IllegalArgumentException(name + e.getKey() + ": +Inf bucket " + previousValue + " but _count " + count);
            }
        }
        if (!counts.keySet().equals(buckets.keySet())) {
            throw new IllegalArgumentException(name + ": series with _count but no buckets: "
                    + counts.keySet().stream().filter(k -> !buckets.containsKey(k)).collect(Collectors.toList()));
        }
    }

    private void fail(String reason) {
        throw new IllegalArgumentException("line " + lineNumber + ": " + reason + ": " + line);
    }
}
