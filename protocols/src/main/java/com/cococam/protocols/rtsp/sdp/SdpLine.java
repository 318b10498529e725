package com.cococam.protocols.rtsp.sdp;

/**
 * An SDP line kept verbatim because this parser gives it no structure ({@code i=}, {@code u=}, {@code e=},
 * {@code p=}, {@code r=}, {@code z=}, {@code k=} and unknown letters).
 *
 * <p>Thread safety: immutable.
 *
 * @param type  the line's type letter.
 * @param value text after {@code =}, trailing whitespace trimmed.
 */
public record SdpLine(char type, String value)
{
}
