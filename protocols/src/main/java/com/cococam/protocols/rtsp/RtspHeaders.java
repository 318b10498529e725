package com.cococam.protocols.rtsp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ordered RTSP header list: names compare case-insensitively (ASCII), insertion order is kept, a name may repeat
 * (several {@code WWW-Authenticate} challenges, two {@code x-notes}). Names keep the spelling they arrived or
 * were added with ({@code Cseq} stays {@code Cseq}).
 *
 * <p>Validation: {@link #add} and {@link #set} reject names that are not RFC 2616 tokens and values holding CR,
 * LF or NUL ({@link IllegalArgumentException}), so headers cannot be injected through values.
 *
 * <p>{@link #toString()} replaces the values of {@code Authorization} and {@code Proxy-Authorization} with
 * {@code <redacted>}.
 *
 * <p>Thread safety: not thread safe. Allocation: two arrays, grown by doubling.
 */
public final class RtspHeaders
{
    private String[] names;
    private String[] values;
    private int size;

    /**
     * Creates an empty header list.
     */
    public RtspHeaders()
    {
        names = new String[8];
        values = new String[8];
    }

    /**
     * @param other headers to copy; not kept.
     * @return a copy of {@code other}.
     */
    public static RtspHeaders copyOf(final RtspHeaders other)
    {
        final RtspHeaders copy = new RtspHeaders();
        copy.names = Arrays.copyOf(other.names, Math.max(8, other.size));
        copy.values = Arrays.copyOf(other.values, Math.max(8, other.size));
        copy.size = other.size;
        return copy;
    }

    /**
     * Appends a header, keeping any earlier header of the same name.
     *
     * @param name  header name, an RFC 2616 token.
     * @param value header value, without CR, LF or NUL; leading and trailing spaces are kept as given.
     * @return this.
     * @throws IllegalArgumentException on an invalid name or value.
     */
    public RtspHeaders add(final String name, final String value)
    {
        checkName(name);
        checkValue(value);
        addUnchecked(name, value);
        return this;
    }

    /**
     * Replaces every header of this name with one header (at the position of the first one, or at the end).
     *
     * @param name  header name, an RFC 2616 token.
     * @param value header value, without CR, LF or NUL.
     * @return this.
     * @throws IllegalArgumentException on an invalid name or value.
     */
    public RtspHeaders set(final String name, final String value)
    {
        checkName(name);
        checkValue(value);

        final int first = indexOf(name, 0);
        if (first < 0)
        {
            addUnchecked(name, value);
            return this;
        }

        names[first] = name;
        values[first] = value;
        int next = indexOf(name, first + 1);
        while (next >= 0)
        {
            removeAt(next);
            next = indexOf(name, next);
        }

        return this;
    }

    /**
     * @param name header name, any case.
     * @return the value of the first header of that name, or null.
     */
    public String get(final String name)
    {
        final int index = indexOf(name, 0);
        return index < 0 ? null : values[index];
    }

    /**
     * @param name header name, any case.
     * @return every value of that name in arrival order; empty when there is none. Allocates a list.
     */
    public List<String> getAll(final String name)
    {
        final List<String> all = new ArrayList<>(2);
        for (int i = 0; i < size; i++)
        {
            if (names[i].equalsIgnoreCase(name))
            {
                all.add(values[i]);
            }
        }

        return all;
    }

    /**
     * @param name header name, any case.
     * @return whether a header of that name is present.
     */
    public boolean contains(final String name)
    {
        return indexOf(name, 0) >= 0;
    }

    /**
     * Removes every header of this name.
     *
     * @param name header name, any case.
     * @return how many headers were removed.
     */
    public int remove(final String name)
    {
        int removed = 0;
        int index = indexOf(name, 0);
        while (index >= 0)
        {
            removeAt(index);
            removed++;
            index = indexOf(name, index);
        }

        return removed;
    }

    /**
     * @return number of header lines.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param index 0 to {@link #size()} - 1.
     * @return the name of the header at that position, as spelled.
     */
    public String name(final int index)
    {
        checkIndex(index);
        return names[index];
    }

    /**
     * @param index 0 to {@link #size()} - 1.
     * @return the value of the header at that position.
     */
    public String value(final int index)
    {
        checkIndex(index);
        return values[index];
    }

    /**
     * @return the names in order, repeats included. Allocates a list.
     */
    public List<String> names()
    {
        return List.of(Arrays.copyOf(names, size));
    }

    /**
     * Appends a value read from the wire; the decoder has already checked it.
     */
    void addUnchecked(final String name, final String value)
    {
        if (size == names.length)
        {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }

        names[size] = name;
        values[size] = value;
        size++;
    }

    /**
     * Replaces the value of the last header (obs-fold continuation lines).
     */
    void setLastValue(final String value)
    {
        values[size - 1] = value;
    }

    @Override
    public boolean equals(final Object other)
    {
        if (!(other instanceof RtspHeaders))
        {
            return false;
        }

        final RtspHeaders that = (RtspHeaders)other;
        return Arrays.equals(names, 0, size, that.names, 0, that.size) &&
            Arrays.equals(values, 0, size, that.values, 0, that.size);
    }

    @Override
    public int hashCode()
    {
        int hash = 1;
        for (int i = 0; i < size; i++)
        {
            hash = hash * 31 + names[i].hashCode();
            hash = hash * 31 + values[i].hashCode();
        }

        return hash;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder(size * 24).append('[');
        for (int i = 0; i < size; i++)
        {
            if (i > 0)
            {
                text.append(", ");
            }

            text.append(names[i]).append(": ").append(isSecret(names[i]) ? "<redacted>" : values[i]);
        }

        return text.append(']').toString();
    }

    /**
     * @param name a header name.
     * @return whether values of this header carry credentials and must never be printed.
     */
    public static boolean isSecret(final String name)
    {
        return RtspHeaderNames.AUTHORIZATION.equalsIgnoreCase(name) ||
            RtspHeaderNames.PROXY_AUTHORIZATION.equalsIgnoreCase(name);
    }

    /**
     * @param c a byte or char.
     * @return whether it is an RFC 2616 token character (visible ASCII except separators).
     */
    static boolean isTokenChar(final int c)
    {
        if (c <= 32 || c >= 127)
        {
            return false;
        }

        switch (c)
        {
            case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':': case '\\': case '"':
            case '/': case '[': case ']': case '?': case '=': case '{': case '}':
                return false;
            default:
                return true;
        }
    }

    private int indexOf(final String name, final int from)
    {
        for (int i = from; i < size; i++)
        {
            if (names[i].equalsIgnoreCase(name))
            {
                return i;
            }
        }

        return -1;
    }

    private void removeAt(final int index)
    {
        System.arraycopy(names, index + 1, names, index, size - index - 1);
        System.arraycopy(values, index + 1, values, index, size - index - 1);
        size--;
        names[size] = null;
        values[size] = null;
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("header index: index=" + index + " size=" + size);
        }
    }

    private static void checkName(final String name)
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("header name: empty");
        }

        for (int i = 0; i < name.length(); i++)
        {
            if (!isTokenChar(name.charAt(i)))
            {
                throw new IllegalArgumentException("header name: not a token");
            }
        }
    }

    private static void checkValue(final String value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("header value: null");
        }

        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0)
            {
                throw new IllegalArgumentException("header value: holds CR, LF or NUL");
            }
        }
    }
}
