package com.cococam.protocols.rtsp.server;

import com.cococam.protocols.rtsp.RtpInfo;
import com.cococam.protocols.rtsp.RtspDecoder;
import com.cococam.protocols.rtsp.RtspErrorCode;
import com.cococam.protocols.rtsp.RtspHeaderNames;
import com.cococam.protocols.rtsp.RtspHeaders;
import com.cococam.protocols.rtsp.RtspResponse;
import com.cococam.protocols.rtsp.SessionHeader;
import com.cococam.protocols.rtsp.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RtspServerHandler} on an {@link EmbeddedChannel} with a fake listener: every method's happy path, the
 * state and session errors (454, 455), transports (461, lists, interleaved ids), CSeq handling, PLAY answers with
 * RTP-Info, and the session timeout driven by the channel's frozen clock.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RtspServerHandlerTest
{
    private static final String BASE = "rtsp://127.0.0.1:8554/live/cam1";
    private static final String SDP_ANNOUNCE = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=pub\r\nc=IN IP4 127.0.0.1\r\n" +
        "t=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n" +
        "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/44100/2\r\na=control:streamid=1\r\n";

    private final FakeRtspListener listener = new FakeRtspListener();
    private EmbeddedChannel channel;
    private RtspServerHandler handler;
    private int cseq;

    /** One decoded answer, copied out so the message can be released at once. */
    private record Reply(int status, String reason, RtspHeaders headers, String body)
    {
        String header(final String name)
        {
            return headers.get(name);
        }
    }

    @BeforeEach
    void open()
    {
        open(60_000);
    }

    private void open(final long timeoutMs)
    {
        if (channel != null)
        {
            channel.finishAndReleaseAll();
        }

        final RtspDecoder decoder = new RtspDecoder();
        handler = new RtspServerHandler(listener, decoder, timeoutMs);
        channel = new EmbeddedChannel(decoder, handler);
        channel.freezeTime();
    }

    @AfterEach
    void close()
    {
        channel.finishAndReleaseAll();
    }

    private void writeRaw(final String text)
    {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
    }

    private Reply raw(final String text)
    {
        writeRaw(text);
        final Reply reply = readReply();
        assertNotNull(reply, "an answer to " + text.lines().findFirst().orElse(""));
        return reply;
    }

    private Reply readReply()
    {
        final Object out = channel.readOutbound();
        if (out == null)
        {
            return null;
        }

        try
        {
            final RtspResponse response = (RtspResponse)out;
            return new Reply(response.statusCode(), response.reason(), RtspHeaders.copyOf(response.headers()),
                response.content().toString(StandardCharsets.UTF_8));
        }
        finally
        {
            ReferenceCountUtil.release(out);
        }
    }

    private Reply call(final String method, final String uri, final String... headers)
    {
        writeCall(method, uri, headers);
        final Reply reply = readReply();
        assertNotNull(reply, "an answer to " + method);
        assertEquals(Integer.toString(cseq), reply.header(RtspHeaderNames.CSEQ), "CSeq echoed");
        return reply;
    }

    private void writeCall(final String method, final String uri, final String... headers)
    {
        final StringBuilder text = new StringBuilder(method + " " + uri + " RTSP/1.0\r\nCSeq: " + (++cseq) + "\r\n");
        for (final String header : headers)
        {
            text.append(header).append("\r\n");
        }

        writeRaw(text.append("\r\n").toString());
    }

    private String describeAndSetUp(final String... transports)
    {
        assertEquals(200, call("DESCRIBE", BASE, "Accept: application/sdp").status());
        String session = null;
        for (int track = 0; track < transports.length; track++)
        {
            final Reply setup = session == null ?
                call("SETUP", BASE + "/trackID=" + track, "Transport: " + transports[track]) :
                call("SETUP", BASE + "/trackID=" + track, "Transport: " + transports[track], "Session: " + session);
            assertEquals(200, setup.status(), setup.reason());
            session = SessionHeader.parse(setup.header(RtspHeaderNames.SESSION)).id();
        }

        return session;
    }

    private String announceAndSetUp()
    {
        final Reply announce = raw("ANNOUNCE " + BASE + "?key=k RTSP/1.0\r\nCSeq: " + (++cseq) +
            "\r\nContent-Type: application/sdp\r\nContent-Length: " + SDP_ANNOUNCE.length() + "\r\n\r\n" +
            SDP_ANNOUNCE);
        assertEquals(200, announce.status());
        final Reply first = call("SETUP", BASE + "?key=k/streamid=0",
            "Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record");
        assertEquals(200, first.status(), first.reason());
        final String session = SessionHeader.parse(first.header(RtspHeaderNames.SESSION)).id();
        final Reply second = call("SETUP", BASE + "?key=k/streamid=1",
            "Transport: RTP/AVP/TCP;unicast;interleaved=2-3;mode=record", "Session: " + session);
        assertEquals(200, second.status(), second.reason());
        return session;
    }

    private static ByteBuf frame(final int channel, final int... bytes)
    {
        final ByteBuf buf = Unpooled.buffer(4 + bytes.length);
        buf.writeByte('$').writeByte(channel).writeShort(bytes.length);
        for (final int b : bytes)
        {
            buf.writeByte(b);
        }

        return buf;
    }

    @Test
    void shouldAnswerOptionsWithEveryMethodAndEchoTheCseqVerbatim()
    {
        final Reply reply = raw("OPTIONS " + BASE + " RTSP/1.0\r\nCSeq:   42 \r\nUser-Agent: test\r\n\r\n");

        assertEquals(200, reply.status());
        assertEquals("42", reply.header(RtspHeaderNames.CSEQ));
        assertEquals("OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, PAUSE, RECORD, TEARDOWN, GET_PARAMETER, SET_PARAMETER",
            reply.header(RtspHeaderNames.PUBLIC));
        assertNull(reply.header(RtspHeaderNames.SESSION), "no session yet");
    }

    @Test
    void shouldAnswerDescribeWithTheHandlesSdpAndAContentBase()
    {
        final Reply reply = call("DESCRIBE", BASE + "?token=x", "Accept: application/sdp");

        assertEquals(200, reply.status());
        assertEquals("application/sdp", reply.header(RtspHeaderNames.CONTENT_TYPE));
        assertEquals(BASE + "/", reply.header(RtspHeaderNames.CONTENT_BASE));
        assertEquals(FakeRtspListener.PLAY_SDP.length(), reply.body().length());
        assertTrue(reply.body().contains("a=control:trackID=1"));
        assertEquals("live/cam1", listener.lastTarget.path());
        assertEquals("x", listener.lastTarget.query().get("token"));
    }

    @Test
    void shouldPassTheListenersRefusalThrough()
    {
        listener.refuseDescribe = new RtspRefusedException(404, "Not Found", false);

        assertEquals(404, call("DESCRIBE", BASE).status());
        assertTrue(channel.isActive(), "a refusal that does not ask to close keeps the connection");
        listener.refuseDescribe = new RtspRefusedException(403, "Forbidden", true);
        assertEquals(403, call("DESCRIBE", BASE).status());
        channel.runPendingTasks();
        assertFalse(channel.isActive());
        assertEquals(List.of("refused: 403 Forbidden"), listener.protocolErrors);
        assertEquals(RtspCloseReason.Kind.REFUSED, listener.closeReasons.get(0).kind());
        assertEquals("refused", listener.closeReasons.get(0).label());
    }

    @Test
    void shouldSetUpTcpTracksPlayAndAnswerPlayWithTheHandlesRtpInfo()
    {
        final String session = describeAndSetUp("RTP/AVP/TCP;unicast", "RTP/AVP/TCP;unicast;interleaved=2-3");
        assertEquals(List.of("0 RTP/AVP/TCP;unicast;interleaved=0-1", "1 RTP/AVP/TCP;unicast;interleaved=2-3"),
            listener.play.setups);

        writeCall("PLAY", BASE + "/", "Session: " + session, "Range: npt=0.000-");
        assertNull(readReply(), "the answer waits for the handle");
        assertEquals(1, listener.play.replies.size());
        final RtspPlayReply reply = listener.play.replies.get(0);
        assertEquals(BASE + "/trackID=1", reply.trackUrl(1));
        assertTrue(reply.send(List.of(new RtpInfo(reply.trackUrl(0), 4321, 90_000L, -1),
            new RtpInfo(reply.trackUrl(1), 17, 3_000_000_000L, -1))));
        assertFalse(reply.send(List.of()), "only the first send counts");

        final Reply play = readReply();
        assertNotNull(play);
        assertEquals(200, play.status());
        assertEquals(Integer.toString(cseq), play.header(RtspHeaderNames.CSEQ));
        assertEquals("npt=now-", play.header(RtspHeaderNames.RANGE));
        assertEquals(session + ";timeout=60", play.header(RtspHeaderNames.SESSION));
        final List<RtpInfo> infos = RtpInfo.parseList(play.header(RtspHeaderNames.RTP_INFO));
        assertEquals(new RtpInfo(BASE + "/trackID=0", 4321, 90_000L, -1), infos.get(0));
        assertEquals(new RtpInfo(BASE + "/trackID=1", 17, 3_000_000_000L, -1), infos.get(1));
        assertNull(readReply());

        assertEquals(200, call("PLAY", BASE + "/", "Session: " + session).status(), "PLAY while playing: at once");
        assertEquals(1, listener.play.replies.size(), "the handle is not asked again");
    }

    @Test
    void shouldAnswerPlayWithoutRtpInfoWhenTheHandleNeverSendsIt()
    {
        final String session = describeAndSetUp("RTP/AVP/TCP;unicast;interleaved=0-1");
        writeCall("PLAY", BASE, "Session: " + session);
        assertNull(readReply());

        channel.advanceTimeBy(RtspServerHandler.PLAY_REPLY_WAIT_MS - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertNull(readReply(), "not before the wait is over");
        channel.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        final Reply play = readReply();
        assertNotNull(play);
        assertEquals(200, play.status());
        assertNull(play.header(RtspHeaderNames.RTP_INFO));
        assertTrue(listener.play.replies.get(0).isSent());
        assertFalse(listener.play.replies.get(0).send(List.of()), "too late");
    }

    @Test
    void shouldPauseAndPlayAgainWithAFreshReplyAndDropAStaleOne()
    {
        final String session = describeAndSetUp("RTP/AVP/TCP;unicast;interleaved=0-1");
        writeCall("PLAY", BASE, "Session: " + session);
        final RtspPlayReply first = listener.play.replies.get(0);

        final Reply pause = call("PAUSE", BASE, "Session: " + session);
        assertEquals(200, pause.status());
        assertEquals(1, listener.play.pauses);
        assertFalse(first.send(List.of()), "a PLAY answer from before the PAUSE is dropped");
        assertNull(readReply());
        assertEquals(200, call("PAUSE", BASE, "Session: " + session).status(), "PAUSE while paused: nothing to do");
        assertEquals(1, listener.play.pauses);

        writeCall("PLAY", BASE, "Session: " + session);
        assertEquals(2, listener.play.replies.size());
        assertTrue(listener.play.replies.get(1).send(List.of(new RtpInfo(BASE + "/trackID=0", 9, 1234, -1))));
        final Reply play = readReply();
        assertEquals(200, play.status());
        assertEquals("url=" + BASE + "/trackID=0;seq=9;rtptime=1234", play.header(RtspHeaderNames.RTP_INFO));
    }

    @Test
    void shouldRecordAndRouteInterleavedFramesOfSetUpChannelsOnly()
    {
        final String session = announceAndSetUp();
        assertEquals("live/cam1", listener.lastTarget.path());
        assertEquals(List.of("0 RTP/AVP/TCP;unicast;interleaved=0-1;mode=\"RECORD\"",
            "1 RTP/AVP/TCP;unicast;interleaved=2-3;mode=\"RECORD\""), listener.publish.setups);

        channel.writeInbound(frame(0, 0x80, 0x60, 0, 1));
        assertTrue(listener.publish.packets.isEmpty(), "nothing before RECORD");
        final Reply record = call("RECORD", BASE + "?key=k", "Session: " + session, "Range: npt=0.000-");
        assertEquals(200, record.status());
        assertEquals(1, listener.publish.records);

        channel.writeInbound(frame(0, 0x80, 0x60, 0, 2));
        channel.writeInbound(frame(3, 0x81, 0xC8));
        channel.writeInbound(frame(9, 0x80, 0x60, 0, 3));
        assertEquals(List.of("0 rtp 80600002", "1 rtcp 81c8"), listener.publish.packets);
        assertEquals(1, handler.unknownChannelFrames(), "the frame on channel 9 was dropped and counted");

        assertEquals(200, call("TEARDOWN", BASE + "?key=k", "Session: " + session).status());
        assertEquals(1, listener.publish.closes);
        assertTrue(channel.isActive(), "TEARDOWN keeps the connection");
    }

    @Test
    void shouldAnswerParameterRequestsInASessionAndAsPings()
    {
        assertEquals(200, call("GET_PARAMETER", BASE).status(), "a ping before any session");
        final String session = describeAndSetUp("RTP/AVP/TCP;unicast;interleaved=0-1");
        final Reply get = call("GET_PARAMETER", BASE, "Session: " + session);
        assertEquals(200, get.status());
        assertEquals(session + ";timeout=60", get.header(RtspHeaderNames.SESSION));
        assertEquals(200, call("SET_PARAMETER", BASE, "Session: " + session).status());
        assertEquals(200, call("GET_PARAMETER", BASE).status(), "a ping without Session still works");
    }

    @Test
    void shouldForgetTheSessionOnTeardownAndAllowANewOneOnTheSameConnection()
    {
        final String session = describeAndSetUp("RTP/AVP/TCP;unicast;interleaved=0-1",
            "RTP/AVP/TCP;unicast;interleaved=2-3");
        final Reply teardown = call("TEARDOWN", BASE, "Session: " + session);
        assertEquals(200, teardown.status());
        assertEquals(1, listener.play.closes);

        assertEquals(454, call("PLAY", BASE, "Session: " + session).status(), "the old session is gone");
        assertEquals(454, call("TEARDOWN", BASE, "Session: " + session).status());

        final String again = describeAndSetUp("RTP/AVP;unicast;client_port=5000-5001");
        assertFalse(again.equals(session), "a new session id");
        assertEquals(List.of("0 RTP/AVP;unicast;client_port=5000-5001;server_port=50000-50001"),
            listener.play.setups, "UDP after a TCP session: the old transport is forgotten");
    }

    @Test
    void shouldRefuseAWrongOrMissingSessionWith454()
    {
        final String session = describeAndSetUp("RTP/AVP/TCP;unicast;interleaved=0-1");
        for (final String method : List.of("PLAY", "PAUSE", "RECORD", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER",
            "SETUP", "OPTIONS"))
        {
            final Reply reply = call(method, BASE + "/trackID=0", "Session: 0BADC0FFEE",
                "Transport: RTP/AVP/TCP;unicast");
            assertEquals(454, reply.status(), method + " with a wrong session");
            assertEquals("Session Not Found", reply.reason());
        }

        for (final String method : List.of("PLAY", "PAUSE", "RECORD", "TEARDOWN"))
        {
            assertEquals(454, call(method, BASE).status(), method + " without the session");
        }

        assertEquals(0, listener.play.pauses + listener.play.closes + listener.play.replies.size(),
            "no refused request reached the handle");
        assertTrue(channel.isActive());
        writeCall("PLAY", BASE, "Session: " + session + ";timeout=60");
        assertEquals(1, listener.play.replies.size(), "the right session (with a timeout parameter) still works");
    }

    @Test
    void shouldRefuseMethodsInTheWrongStateWith455()
    {
        assertEquals(455, call("PLAY", BASE).status(), "PLAY on a fresh connection");
        assertEquals(455, call("RECORD", BASE).status(), "RECORD on a fresh connection");
        assertEquals(455, call("SETUP", BASE + "/trackID=0", "Transport: RTP/AVP/TCP;unicast").status(),
            "SETUP before DESCRIBE or ANNOUNCE");
        assertEquals(200, call("DESCRIBE", BASE).status());
        assertEquals(455, call("PLAY", BASE).status(), "PLAY before SETUP");
        assertEquals(455, call("ANNOUNCE", BASE).status(), "ANNOUNCE on a play connection");

        final String session = describeAndSetUp("RTP/AVP/TCP;unicast;interleaved=0-1");
        assertEquals(455, call("RECORD", BASE, "Session: " + session).status(), "RECORD on a play session");
        writeCall("PLAY", BASE, "Session: " + session);
        assertEquals(455, call("SETUP", BASE + "/trackID=1", "Transport: RTP/AVP/TCP;unicast",
            "Session: " + session).status(), "SETUP of a new track while playing");
        assertEquals(List.of("0 RTP/AVP/TCP;unicast;interleaved=0-1"), listener.play.setups);
    }

    @Test
    void shouldRefusePlayAndDescribeOnAPublishSessionWith455()
    {
        final String session = announceAndSetUp();
        assertEquals(455, call("PLAY", BASE, "Session: " + session).status());
        assertEquals(455, call("DESCRIBE", BASE).status());
        assertEquals(200, call("RECORD", BASE, "Session: " + session).status());
        assertEquals(455, call("SETUP", BASE + "?key=k/streamid=1", "Transport: RTP/AVP/TCP;unicast;mode=record",
            "Session: " + session).status(), "SETUP while recording");
    }

    @Test
    void shouldRefuseTransportsWeCannotServeWith461()
    {
        assertEquals(200, call("DESCRIBE", BASE).status());
        final String uri = BASE + "/trackID=0";
        for (final String transport : List.of(
            "RTP/AVP;multicast;destination=232.0.0.1;port=5000-5001",
            "RTP/AVP/UDP;unicast",
            "RTP/AVP;unicast;client_port=0-1",
            "RTP/SAVP;unicast;client_port=5000-5001",
            "RTP/AVP/TCP;multicast;interleaved=0-1",
            "RAW/RAW/UDP;unicast;client_port=5000-5001"))
        {
            final Reply reply = call("SETUP", uri, "Transport: " + transport);
            assertEquals(461, reply.status(), transport);
        }

        assertEquals(461, call("SETUP", uri).status(), "no Transport header");
        listener.udpPorts = null;
        assertEquals(461, call("SETUP", uri, "Transport: RTP/AVP;unicast;client_port=5000-5001").status(),
            "UDP when the listener offers none");
        assertTrue(listener.play.setups.isEmpty());
        assertTrue(channel.isActive());
    }

    @Test
    void shouldRefuseMixingTcpAndUdpTracksInOneSession()
    {
        final String session = describeAndSetUp("RTP/AVP/TCP;unicast;interleaved=0-1");
        final Reply reply = call("SETUP", BASE + "/trackID=1", "Transport: RTP/AVP;unicast;client_port=5000-5001",
            "Session: " + session);
        assertEquals(461, reply.status());
    }

    @Test
    void shouldPickTheFirstSupportedTransportOfAList()
    {
        assertEquals(200, call("DESCRIBE", BASE).status());
        final Reply udp = call("SETUP", BASE + "/trackID=0", "Transport: RTP/AVP;multicast, " +
            "RTP/SAVP;unicast;client_port=6000-6001, RTP/AVP;unicast;client_port=5000-5001, RTP/AVP/TCP;unicast");
        assertEquals("RTP/AVP;unicast;client_port=5000-5001;server_port=50000-50001",
            udp.header(RtspHeaderNames.TRANSPORT));

        open(60_000);
        assertEquals(200, call("DESCRIBE", BASE).status());
        final Reply tcp = call("SETUP", BASE + "/trackID=0",
            "Transport: RTP/AVP/TCP;unicast;interleaved=0-1,RTP/AVP;unicast;client_port=5000-5001");
        assertEquals("RTP/AVP/TCP;unicast;interleaved=0-1", tcp.header(RtspHeaderNames.TRANSPORT));
    }

    @Test
    void shouldKeepOddInterleavedIdsAndAssignFreeOnesOnAClash()
    {
        assertEquals(200, call("DESCRIBE", BASE).status());
        final Reply first = call("SETUP", BASE + "/trackID=0", "Transport: RTP/AVP/TCP;unicast;interleaved=2-3");
        assertEquals("RTP/AVP/TCP;unicast;interleaved=2-3", first.header(RtspHeaderNames.TRANSPORT));
        final String session = SessionHeader.parse(first.header(RtspHeaderNames.SESSION)).id();
        final Reply clash = call("SETUP", BASE + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=2-3",
            "Session: " + session);
        assertEquals(200, clash.status());
        assertEquals(new Transport.Range(0, 1), Transport.parse(clash.header(RtspHeaderNames.TRANSPORT)).interleaved(),
            "track 1 gets the free pair 0-1");

        open(60_000);
        assertEquals(200, call("DESCRIBE", BASE).status());
        final Reply single = call("SETUP", BASE + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=7");
        assertEquals("RTP/AVP/TCP;unicast;interleaved=7-8", single.header(RtspHeaderNames.TRANSPORT));
        final String session2 = SessionHeader.parse(single.header(RtspHeaderNames.SESSION)).id();
        final Reply none = call("SETUP", BASE + "/trackID=0", "Transport: RTP/AVP/TCP;unicast",
            "Session: " + session2);
        assertEquals("RTP/AVP/TCP;unicast;interleaved=0-1", none.header(RtspHeaderNames.TRANSPORT));
    }

    @Test
    void shouldAnswer404ForAnUnknownTrack()
    {
        assertEquals(200, call("DESCRIBE", BASE).status());
        assertEquals(404, call("SETUP", BASE + "/trackID=5", "Transport: RTP/AVP/TCP;unicast").status());
        assertEquals(404, call("SETUP", BASE + "/trackID=x", "Transport: RTP/AVP/TCP;unicast").status());
    }

    @Test
    void shouldAnswer400WithoutCseqAnd501ForUnknownMethods()
    {
        final Reply noCseq = raw("OPTIONS " + BASE + " RTSP/1.0\r\nUser-Agent: x\r\n\r\n");
        assertEquals(400, noCseq.status());
        assertNull(noCseq.header(RtspHeaderNames.CSEQ));
        assertTrue(channel.isActive());

        final Reply redirect = call("REDIRECT", BASE, "Session: 123");
        assertEquals(501, redirect.status(), "an unknown method is 501 before any session check");
        assertEquals(501, call("FLY", BASE).status());
        assertEquals(200, call("OPTIONS", BASE).status(), "the connection still works");
    }

    @Test
    void shouldAnswerAHeaderThatDoesNotParseAndKeepTheConnection()
    {
        assertEquals(200, call("DESCRIBE", BASE).status());
        final Reply badTransport = call("SETUP", BASE + "/trackID=0", "Transport: ;;;");
        assertEquals(461, badTransport.status());
        final Reply badSession = call("PLAY", BASE, "Session: ");
        assertEquals(454, badSession.status());
        assertTrue(channel.isActive());
    }

    @Test
    void shouldAnnounceTheTimeoutInWholeSecondsRoundedUp()
    {
        open(1_500);
        final String session = describeAndSetUp("RTP/AVP/TCP;unicast");
        assertEquals(2, handler.timeoutSec());
        assertEquals(session + ";timeout=2", call("GET_PARAMETER", BASE, "Session: " + session)
            .header(RtspHeaderNames.SESSION));
    }

    @Test
    void shouldCloseASessionThatStaysSilentPastItsTimeout()
    {
        final String session = describeAndSetUp("RTP/AVP/TCP;unicast;interleaved=0-1");
        writeCall("PLAY", BASE, "Session: " + session);
        assertTrue(listener.play.replies.get(0).send(List.of()));
        assertEquals(200, readReply().status());

        advance(55_000);
        assertTrue(channel.isActive());
        assertEquals(200, call("GET_PARAMETER", BASE, "Session: " + session).status());
        advance(55_000);
        assertTrue(channel.isActive(), "the request postponed the timeout");
        channel.writeInbound(frame(1, 0x81, 0xC9));
        advance(55_000);
        assertTrue(channel.isActive(), "interleaved RTCP on a set-up channel postponed it");
        handler.touch();
        advance(55_000);
        assertTrue(channel.isActive(), "touch() (RTCP over UDP) postponed it");
        channel.writeInbound(frame(9, 0x81, 0xC9));
        advance(10_000);
        assertFalse(channel.isActive(), "a frame on an unknown channel is no sign of life");
        assertEquals(List.of("session timeout"), listener.protocolErrors);
        assertEquals("session_timeout", listener.closeReasons.get(0).label());
        assertEquals(1, listener.play.closes);
        assertEquals(1, listener.closed);
    }

    private void advance(final long ms)
    {
        // In steps shorter than the check period, as a real clock would go.
        for (long done = 0; done < ms; done += 1_000)
        {
            channel.advanceTimeBy(Math.min(1_000, ms - done), TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
        }
    }

    @Test
    void shouldCloseAConnectionWhoseContentLengthPromisesMoreThanItSends()
    {
        writeRaw("ANNOUNCE " + BASE + "?key=k RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\n" +
            "Content-Length: 5000\r\n\r\n" + SDP_ANNOUNCE);
        writeRaw("OPTIONS " + BASE + " RTSP/1.0\r\nCSeq: 2\r\n\r\n");
        assertNull(readReply(), "the OPTIONS went into the promised body");
        advance(61_000);
        assertFalse(channel.isActive(), "the timeout ends the wait for a body that never comes");
        assertEquals(List.of("session timeout"), listener.protocolErrors);
        assertTrue(listener.events.isEmpty(), "no ANNOUNCE reached the listener");
    }

    @Test
    void shouldAnswer400AndCloseWhenContentLengthIsShortAndTheRestIsGarbage()
    {
        final String body = "v=0\r\n";
        final Reply reply = raw("ANNOUNCE " + BASE + "?key=k RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\n" +
            "Content-Length: " + body.length() + "\r\n\r\n" + SDP_ANNOUNCE);
        assertEquals(400, reply.status(), reply.reason());
        channel.runPendingTasks();
        assertFalse(channel.isActive());
        assertTrue(listener.events.isEmpty(), "an SDP cut short announces nothing");
    }

    @Test
    void shouldAnswerOversizeHeadersBodiesAndUrisAndClose()
    {
        final Reply headers = raw("OPTIONS " + BASE + " RTSP/1.0\r\nCSeq: 1\r\nX-Big: " + "b".repeat(20_000) +
            "\r\n\r\n");
        assertEquals(400, headers.status());
        channel.runPendingTasks();
        assertFalse(channel.isActive());
        assertEquals(1, listener.protocolErrors.size());
        assertTrue(listener.protocolErrors.get(0).startsWith("bad message: HEADERS_TOO_LARGE"),
            listener.protocolErrors.get(0));
        assertEquals(new RtspCloseReason(RtspCloseReason.Kind.BAD_MESSAGE, RtspErrorCode.HEADERS_TOO_LARGE,
            listener.protocolErrors.get(0)), listener.closeReasons.get(0));
        assertEquals("headers_too_large", listener.closeReasons.get(0).label());

        open(60_000);
        final Reply body = raw("ANNOUNCE " + BASE + " RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 100000\r\n\r\n");
        assertEquals(413, body.status());
        channel.runPendingTasks();
        assertFalse(channel.isActive());

        open(60_000);
        final Reply uri = raw("DESCRIBE " + BASE + "/" + "u".repeat(5_000) + " RTSP/1.0\r\nCSeq: 1\r\n\r\n");
        assertEquals(414, uri.status());
        channel.runPendingTasks();
        assertFalse(channel.isActive());
    }

    @Test
    void shouldCloseAfterTooMuchGarbage()
    {
        final byte[] junk = new byte[(int)RtspServerHandler.MAX_SKIPPED_BYTES + 1024];
        java.util.Arrays.fill(junk, (byte)'x');
        for (int i = 0; i < junk.length; i += 80)
        {
            junk[i] = '\n';
        }

        channel.writeInbound(Unpooled.wrappedBuffer(junk));
        channel.runPendingTasks();
        if (channel.isActive())
        {
            // The decoder may report garbage as a malformed start line instead: either way the connection ends.
            fail("connection still open after " + junk.length + " bytes of garbage");
        }

        Object out;
        while ((out = channel.readOutbound()) != null)
        {
            ReferenceCountUtil.release(out);
        }

        assertEquals(1, listener.protocolErrors.size(), listener.protocolErrors.toString());
        final String label = listener.closeReasons.get(0).label();
        assertTrue(label.equals("garbage") || label.equals("malformed_start_line") ||
            label.equals("start_line_too_long"), label);
    }

    private static void fail(final String message)
    {
        org.junit.jupiter.api.Assertions.fail(message);
    }
}
