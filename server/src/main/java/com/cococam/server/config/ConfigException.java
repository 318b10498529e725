package com.cococam.server.config;

import java.util.List;

/**
 * The configuration could not be used: it carries every problem found, each a complete line that names
 * where it came from, for example {@code conf/cococam.yaml:7: http.port: must be 1..65535, got 70000} or
 * {@code command line: --http.port=abc: not an integer}.
 * <p>
 * The loader collects all problems before it throws, so an operator can fix them in one pass. The message is
 * the problems joined by line breaks. Values of secret keys ({@code publishKey}) never appear in a problem.
 * <p>
 * Thread safety: immutable.
 */
public final class ConfigException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * Creates an exception holding the given problems.
     *
     * @param problems one line per problem, in the order found; must not be empty.
     * @throws IllegalArgumentException when {@code problems} is empty.
     */
    public ConfigException(final List<String> problems)
    {
        super(String.join(System.lineSeparator(), requireSome(problems)));
        this.problems = List.copyOf(problems);
    }

    /**
     * Creates an exception holding a single problem.
     *
     * @param problem the problem line.
     */
    public ConfigException(final String problem)
    {
        this(List.of(problem));
    }

    /**
     * Every problem found, one self-contained line each.
     *
     * @return an unmodifiable, non-empty list.
     */
    public List<String> problems()
    {
        return problems;
    }

    private static List<String> requireSome(final List<String> problems)
    {
        if (problems.isEmpty())
        {
            throw new IllegalArgumentException("config exception without problems");
        }

        return problems;
    }
}
