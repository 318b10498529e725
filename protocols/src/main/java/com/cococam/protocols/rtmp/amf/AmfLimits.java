package com.cococam.protocols.rtmp.amf;

/**
 * Bounds applied while decoding AMF. Every count and length is also checked against the bytes that remain
 * before anything is allocated, so a short message can never make the decoder allocate much.
 *
 * @param maxDepth       deepest nesting of objects/arrays; deeper input throws {@link AmfException}.
 * @param maxStringBytes longest string (UTF-8 bytes), XML document or byte array.
 * @param maxElements    most entries in one object, array or trait list.
 */
public record AmfLimits(int maxDepth, int maxStringBytes, int maxElements)
{
    /** Default nesting depth. */
    public static final int DEFAULT_MAX_DEPTH = 32;
    /** Default longest string: 1 MiB. */
    public static final int DEFAULT_MAX_STRING_BYTES = 1 << 20;
    /** Default most entries per container. */
    public static final int DEFAULT_MAX_ELEMENTS = 65_536;

    /**
     * Validates the bounds.
     *
     * @throws IllegalArgumentException when a bound is not positive.
     */
    public AmfLimits
    {
        if (maxDepth < 1)
        {
            throw new IllegalArgumentException("amf maxDepth must be positive: maxDepth=" + maxDepth);
        }

        if (maxStringBytes < 1)
        {
            throw new IllegalArgumentException("amf maxStringBytes must be positive: maxStringBytes=" + maxStringBytes);
        }

        if (maxElements < 1)
        {
            throw new IllegalArgumentException("amf maxElements must be positive: maxElements=" + maxElements);
        }
    }

    /**
     * @return the default limits.
     */
    public static AmfLimits defaults()
    {
        return new AmfLimits(DEFAULT_MAX_DEPTH, DEFAULT_MAX_STRING_BYTES, DEFAULT_MAX_ELEMENTS);
    }
}
