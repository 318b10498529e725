package com.cococam.protocols.rtmp.amf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ordered string-keyed map that the AMF0 encoder writes as an ECMA array (marker 0x08) rather than an
 * anonymous object (0x03); the decoder returns one for every ECMA array, so it round-trips. Use it for
 * {@code onMetaData}, which players expect as an ECMA array.
 *
 * <p>Thread safety: none, like {@link LinkedHashMap}.
 */
public final class AmfEcmaArray extends LinkedHashMap<String, Object>
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates an empty array.
     */
    public AmfEcmaArray()
    {
    }

    /**
     * @param entries copied in their iteration order.
     */
    public AmfEcmaArray(final Map<String, Object> entries)
    {
        super(entries);
    }
}
