package com.cococam.codec.h264;

/**
 * A bitstream or configuration record is malformed: truncated, out of range or inconsistent.
 *
 * <p>Thrown by {@link BitReader} when a read runs past the end of its data, and by the parameter set and
 * configuration record parsers of the {@code h264}, {@code h265} and {@code aac} packages for any malformed input.
 * It extends {@link IllegalArgumentException} so callers that only promise "IllegalArgumentException on malformed
 * input" need no extra catch.
 *
 * <p>Messages are terse and lower case, e.g. {@code "bitstream truncated"} or
 * {@code "sps: pic_width_in_mbs_minus1=5000"}.
 */
public final class BitstreamException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message terse, lower-case description of what was wrong.
     */
    public BitstreamException(final String message)
    {
        super(message);
    }
}
