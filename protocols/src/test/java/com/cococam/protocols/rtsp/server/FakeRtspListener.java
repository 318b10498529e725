package com.cococam.protocols.rtsp.server;

import com.cococam.protocols.rtsp.Transport;
import com.cococam.protocols.rtsp.sdp.Sdp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * A small {@link RtspServerListener} for handler tests: records every call, serves one two-track SDP
 * ({@code trackID=0} H.264, {@code trackID=1} AAC), accepts every publisher, and can be told to refuse.
 */
final class FakeRtspListener implements RtspServerListener
{
    static final String PLAY_SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=cam\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n" +
        "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n" +
        "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=control:trackID=1\r\n";

    final List<String> events = new ArrayList<>();
    final List<String> protocolErrors = new ArrayList<>();
    final List<RtspCloseReason> closeReasons = new ArrayList<>();
    Transport.Range udpPorts = new Transport.Range(50_000, 50_001);
    RtspRefusedException refuseDescribe;
    FakePlay play;
    FakePublish publish;
    RtspTarget lastTarget;
    int closed;

    @Override
    public RtspPublishHandle onAnnounce(final RtspConnection connection, final RtspTarget target, final Sdp sdp)
    {
        lastTarget = target;
        events.add("announce " + target.path() + " " + sdp.media().size());
        publish = new FakePublish();
        return publish;
    }

    @Override
    public RtspPlayHandle onDescribe(final RtspConnection connection, final RtspTarget target)
        throws RtspRefusedException
    {
        lastTarget = target;
        if (refuseDescribe != null)
        {
            throw refuseDescribe;
        }

        events.add("describe " + target.path());
        play = new FakePlay(Sdp.parse(PLAY_SDP));
        return play;
    }

    @Override
    public Transport.Range udpServerPorts()
    {
        return udpPorts;
    }

    @Override
    public void onProtocolError(final RtspConnection connection, final RtspCloseReason reason)
    {
        protocolErrors.add(reason.detail());
        closeReasons.add(reason);
    }

    @Override
    public void onClosed(final RtspConnection connection)
    {
        closed++;
    }

    /** Play handle that records calls and keeps each PLAY's reply for the test to send. */
    static final class FakePlay implements RtspPlayHandle
    {
        final Sdp sdp;
        final List<String> setups = new ArrayList<>();
        final List<RtspPlayReply> replies = new ArrayList<>();
        int pauses;
        int closes;

        FakePlay(final Sdp sdp)
        {
            this.sdp = sdp;
        }

        @Override
        public Sdp sdp()
        {
            return sdp;
        }

        @Override
        public void onSetup(final int trackIndex, final Transport transport)
        {
            setups.add(trackIndex + " " + transport.format());
        }

        @Override
        public void onPlay(final RtspPlayReply reply)
        {
            replies.add(reply);
        }

        @Override
        public void onPause()
        {
            pauses++;
        }

        @Override
        public void onClose()
        {
            closes++;
        }
    }

    /** Publish handle that records calls and the packets it was given (as hex). */
    static final class FakePublish implements RtspPublishHandle
    {
        final List<String> setups = new ArrayList<>();
        final List<String> packets = new ArrayList<>();
        int records;
        int closes;

        @Override
        public void onSetup(final int trackIndex, final Transport transport)
        {
            setups.add(trackIndex + " " + transport.format());
        }

        @Override
        public void onRecord()
        {
            records++;
        }

        @Override
        public void onInterleaved(final int trackIndex, final boolean rtcp, final ByteBuf packet)
        {
            packets.add(trackIndex + (rtcp ? " rtcp " : " rtp ") + ByteBufUtil.hexDump(packet));
        }

        @Override
        public void onClose()
        {
            closes++;
        }
    }
}
