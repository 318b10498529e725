package com.cococam.server.http;

/**
 * Minimal JSON text building for the API documents (cold path).
 */
public final class Json
{
    private Json()
    {
    }

    /**
     * @param value a string.
     * @return it as a quoted JSON string.
     */
    public static String quote(final String value)
    {
        if (value == null)
        {
            return "null";
        }

        final StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }

        return out.append('"').toString();
    }
}
