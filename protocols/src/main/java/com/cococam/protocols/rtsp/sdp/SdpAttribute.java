package com.cococam.protocols.rtsp.sdp;

/**
 * One SDP attribute line ({@code a=name:value} or the flag form {@code a=name}), RFC 8866 section 5.13.
 *
 * <p>Thread safety: immutable.
 *
 * @param name  attribute name as sent (names compare case-sensitively in SDP, but lookups here ignore case).
 * @param value value after the first colon, trailing whitespace trimmed; null for a flag attribute.
 */
public record SdpAttribute(String name, String value)
{
    /**
     * @return the line text after {@code a=}.
     */
    public String format()
    {
        return value == null ? name : name + ':' + value;
    }
}
