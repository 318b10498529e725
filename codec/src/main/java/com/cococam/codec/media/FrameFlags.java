package com.cococam.codec.media;

/**
 * Bit flags carried with each access unit.
 */
public final class FrameFlags
{
    /**
     * A random access point: an IDR/IRAP picture for video; every audio frame is one.
     */
    public static final int KEYFRAME = 1;

    /**
     * The timeline broke before this access unit (a timestamp jump, a publisher restart): players and
     * packagers must treat it as a discontinuity.
     */
    public static final int DISCONTINUITY = 2;

    /**
     * Not media: the publisher ended. Such a unit has no track, no format and an empty payload; consumers close
     * what is open (the current segment) and tell their viewers.
     */
    public static final int END_OF_STREAM = 4;

    private FrameFlags()
    {
    }

    /**
     * @param flags a flag set.
     * @return whether {@link #KEYFRAME} is set.
     */
    public static boolean isKeyframe(final int flags)
    {
        return (flags & KEYFRAME) != 0;
    }

    /**
     * @param flags a flag set.
     * @return whether {@link #END_OF_STREAM} is set.
     */
    public static boolean isEndOfStream(final int flags)
    {
        return (flags & END_OF_STREAM) != 0;
    }

    /**
     * @param flags a flag set.
     * @return whether {@link #DISCONTINUITY} is set.
     */
    public static boolean isDiscontinuity(final int flags)
    {
        return (flags & DISCONTINUITY) != 0;
    }
}
