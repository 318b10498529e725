package com.cococam.protocols.rtmp.amf;

/**
 * The AMF {@code undefined} value (AMF0 marker 0x06, AMF3 marker 0x00), distinct from {@code null}.
 *
 * <p>Thread safety: immutable singleton.
 */
public final class AmfUndefined
{
    /** The only instance. */
    public static final AmfUndefined INSTANCE = new AmfUndefined();

    private AmfUndefined()
    {
    }

    @Override
    public String toString()
    {
        return "undefined";
    }
}
