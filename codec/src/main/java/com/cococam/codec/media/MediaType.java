package com.cococam.codec.media;

/**
 * Kind of elementary stream a track carries.
 */
public enum MediaType
{
    VIDEO,
    AUDIO
}
