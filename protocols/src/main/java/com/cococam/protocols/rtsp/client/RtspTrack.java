package com.cococam.protocols.rtsp.client;

import com.cococam.protocols.rtsp.sdp.SdpMedia;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * One audio or video track a client sets up, from a media section of the DESCRIBE answer.
 * <p>
 * Thread safety: immutable after setup; the transport fields are set once by the client during SETUP, before
 * the listener sees the track, except the UDP source addresses, which the client's event loop updates as packets
 * arrive.
 */
public final class RtspTrack
{
    private final int index;
    private final SdpMedia media;
    private final String controlUrl;
    private final int payloadType;
    private final String encodingName;
    private final int clockRate;
    private final int channels;
    int rtpChannel = -1;
    int rtcpChannel = -1;
    int clientRtpPort = -1;
    int serverRtpPort = -1;
    int serverRtcpPort = -1;
    /** Where the camera's RTP came from last (UDP); event loop only. */
    InetSocketAddress rtpSource;
    /** Where the camera's RTCP came from last (UDP); event loop only. */
    InetSocketAddress rtcpSource;

    RtspTrack(final int index, final SdpMedia media, final String controlUrl, final int payloadType,
        final String encodingName, final int clockRate, final int channels)
    {
        this.index = index;
        this.media = media;
        this.controlUrl = controlUrl;
        this.payloadType = payloadType;
        this.encodingName = encodingName;
        this.clockRate = clockRate;
        this.channels = channels;
    }

    /**
     * @return position among the tracks set up (0, 1).
     */
    public int index()
    {
        return index;
    }

    /**
     * @return the SDP media section.
     */
    public SdpMedia media()
    {
        return media;
    }

    /**
     * @return {@code video} or {@code audio}.
     */
    public String type()
    {
        return media.type().toLowerCase(Locale.ROOT);
    }

    /**
     * @return whether this is a video track.
     */
    public boolean isVideo()
    {
        return "video".equals(type());
    }

    /**
     * @return the resolved control URL used for SETUP.
     */
    public String controlUrl()
    {
        return controlUrl;
    }

    /**
     * @return the RTP payload type of the track.
     */
    public int payloadType()
    {
        return payloadType;
    }

    /**
     * @return the encoding name upper case (e.g. {@code H264}, {@code MPEG4-GENERIC}, {@code PCMA}).
     */
    public String encodingName()
    {
        return encodingName;
    }

    /**
     * @return the RTP clock rate in Hz.
     */
    public int clockRate()
    {
        return clockRate;
    }

    /**
     * @return audio channels (1 when the SDP gives none), 0 for video.
     */
    public int channels()
    {
        return channels;
    }

    /**
     * @return interleaved RTP channel id (TCP), or -1.
     */
    public int rtpChannel()
    {
        return rtpChannel;
    }

    /**
     * @return interleaved RTCP channel id (TCP), or -1.
     */
    public int rtcpChannel()
    {
        return rtcpChannel;
    }

    /**
     * @return local RTP port (UDP), or -1.
     */
    public int clientRtpPort()
    {
        return clientRtpPort;
    }

    @Override
    public String toString()
    {
        return "RtspTrack[" + index + " " + type() + " " + encodingName + "/" + clockRate + " pt=" + payloadType + "]";
    }
}
