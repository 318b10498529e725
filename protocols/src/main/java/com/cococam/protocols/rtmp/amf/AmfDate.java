package com.cococam.protocols.rtmp.amf;

/**
 * An AMF date: milliseconds since the Unix epoch, UTC, plus the AMF0 time-zone field (minutes; senders
 * should write 0 and readers ignore it; AMF3 dates have none and decode with 0).
 *
 * @param epochMs         milliseconds since 1970-01-01T00:00Z, as the double on the wire.
 * @param timeZoneMinutes the AMF0 signed 16-bit time-zone field.
 */
public record AmfDate(double epochMs, int timeZoneMinutes)
{
}
