package org.volumedriver.exec.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.Redactor;

/**
 * The patterns a form may name as a whole token {@code {name}}: the built-in {@code {path}} and
 * those configured as {@code pattern.<name> = <regex>}. Validated once per configuration.
 */
final class NamedPatterns {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
    /** A token that names a pattern, rather than being one; wider than a valid name, so typos are caught. */
    private static final Pattern REFERENCE = Pattern.compile("\\{([A-Za-z0-9_.-]*)\\}");
    private static final String KEY_PREFIX = "pattern.";

    private final Map<String, String> regexByName;

    private NamedPatterns(Map<String, String> regexByName) {
        this.regexByName = regexByName;
    }

    /**
     * @param configured the configured patterns by name (without braces)
     * @return the built-in and the configured patterns
     * @throws InvalidConfigurationException if a name is malformed or taken, or a regular
     *         expression is empty or does not compile
     */
    static NamedPatterns of(Map<String, String> configured) throws InvalidConfigurationException {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(ExecutorSettings.PATH_PATTERN_NAME, ExecutorSettings.ABSOLUTE_PATH_PATTERN);
        for (Map.Entry<String, String> e : configured.entrySet()) {
            String name = e.getKey();
            String regex = e.getValue();
            if (name == null || !NAME.matcher(name).matches()) {
                throw new InvalidConfigurationException("pattern.*", "pattern name " + Redactor.quote(name)
                        + " must match " + NAME.pattern());
            }
            String key = KEY_PREFIX + name;
            if (all.containsKey(name) || SettingsParser.NO_ARGUMENTS.equals("{" + name + "}")) {
                throw new InvalidConfigurationException(key, "the name is reserved by a built-in");
            }
            if (regex == null || regex.isEmpty()) {
                throw new InvalidConfigurationException(key, "is empty");
            }
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException ex) {
                throw new InvalidConfigurationException(key, "is not a valid regular expression");
            }
            all.put(name, regex);
        }
        return new NamedPatterns(all);
    }

    /**
     * @param token a form token
     * @param formsKey the configuration key of the forms, for the error
     * @return the regular expression the token stands for: the named pattern for {@code {name}},
     *         otherwise the token itself
     * @throws InvalidConfigurationException if the token names a pattern that does not exist
     */
    String resolve(String token, String formsKey) throws InvalidConfigurationException {
        Matcher reference = REFERENCE.matcher(token);
        if (!reference.matches()) {
            return token;
        }
        String regex = regexByName.get(reference.group(1));
        if (regex == null) {
            throw new InvalidConfigurationException(formsKey, "names an unknown pattern " + Redactor.quote(token));
        }
        return regex;
    }
}
