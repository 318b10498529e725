package com.cococam.protocols.rtmp.amf;

/**
 * The AMF0 {@code unsupported} value (marker 0x0D).
 *
 * <p>Thread safety: immutable singleton.
 */
public final class AmfUnsupported
{
    /** The only instance. */
    public static final AmfUnsupported INSTANCE = new AmfUnsupported();

    private AmfUnsupported()
    {
    }

    @Override
    public String toString()
    {
        return "unsupported";
    }
}
