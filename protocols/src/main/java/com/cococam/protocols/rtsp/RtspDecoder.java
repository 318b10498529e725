package com.cococam.protocols.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes an RTSP 1.0 byte stream into {@link RtspRequest}, {@link RtspResponse} and {@link InterleavedFrame}
 * messages. Usable on both sides of a connection: a start line beginning with {@code RTSP/} is a response,
 * anything else a request.
 *
 * <p>What it accepts beyond the letter of RFC 2326, because cameras send it: LF-only line ends, trailing spaces
 * and tabs on any line, padded header values (trimmed), obs-fold continuation lines (joined with one space),
 * blank lines between messages (skipped), a missing Content-Length (body length 0) and a missing Content-Type.
 * Header names and values are decoded as ISO-8859-1, so every byte survives a decode/encode round trip.
 *
 * <p>Interleaved frames (RFC 2326 section 10.12) are recognised by the {@code $} byte where a message may begin.
 * A frame on a channel that was not registered with {@link #allowChannel(int)} is still delivered with its
 * channel, so the caller decides what to do with it, and counted in {@link #unknownChannelFrames()}.
 *
 * <p>Resynchronisation: when the bytes where a message should begin are neither {@code $}, nor CR/LF, nor the
 * start of a start line, the decoder counts one resync and skips bytes ({@link #skippedBytes()}) until it finds
 * either {@code RTSP/} or a standard method name followed by a space, or a plausible frame: {@code $}, a known
 * channel (any channel while none is registered), a length from 1 to the frame bound, an RTP/RTCP version 2
 * first payload byte, and, when already buffered, a plausible byte right after the frame. Registering the
 * channels of each SETUP makes resynchronisation much less likely to lock onto garbage.
 *
 * <p>Bounds (constructor parameters, defaults in the {@code DEFAULT_} constants), with what happens past them:
 * <ul>
 *   <li>start line length: {@link RtspErrorCode#START_LINE_TOO_LONG};</li>
 *   <li>header line count: {@link RtspErrorCode#TOO_MANY_HEADERS};</li>
 *   <li>header block bytes, line ends included: {@link RtspErrorCode#HEADERS_TOO_LARGE};</li>
 *   <li>body bytes from Content-Length: {@link RtspErrorCode#BODY_TOO_LARGE} (checked before buffering);</li>
 *   <li>interleaved frame payload bytes: {@link RtspErrorCode#INTERLEAVED_TOO_LARGE}.</li>
 * </ul>
 * Other errors: {@link RtspErrorCode#MALFORMED_START_LINE}, {@link RtspErrorCode#MALFORMED_HEADER},
 * {@link RtspErrorCode#BAD_CONTENT_LENGTH} (not a non-negative number, or repeated with different values), and
 * {@link RtspErrorCode#TRUNCATED_MESSAGE} when the input closes inside a message or frame (a Content-Length that
 * promised more than arrived). Each is thrown as an {@link RtspProtocolException}, which Netty wraps in a
 * {@code DecoderException}; after one, the decoder discards all further input, so the caller should answer (for
 * a server, {@link RtspErrorCode#statusCode()}) and close.
 *
 * <p>Buffer ownership: bodies and frame payloads are retained slices of the cumulation buffer; each emitted
 * message must be released by whoever takes it. Partial messages hold no buffers.
 *
 * <p>Allocation: one message object per message or frame, strings for start line and headers; nothing per byte.
 *
 * <p>Thread safety: one instance per channel, used on its event loop only (counters included).
 */
public final class RtspDecoder extends ByteToMessageDecoder
{
    /** Default bound on the start line, line end excluded. */
    public static final int DEFAULT_MAX_START_LINE_BYTES = 4096;
    /** Default bound on the number of header lines (fold lines not counted). */
    public static final int DEFAULT_MAX_HEADER_COUNT = 64;
    /** Default bound on the header block in bytes, line ends and the blank line included. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
    /** Default bound on a body in bytes. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    /** Default bound on an interleaved frame payload in bytes: whatever the 16-bit length allows. */
    public static final int DEFAULT_MAX_INTERLEAVED_BYTES = InterleavedFrame.MAX_PAYLOAD_BYTES;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOLLAR = '$';
    private static final int MAX_METHOD_LENGTH = 32;
    private static final byte[] RTSP_SLASH = "RTSP/".getBytes(StandardCharsets.US_ASCII);
    private static final String[] KNOWN_METHODS =
    {
        RtspMethods.OPTIONS, RtspMethods.DESCRIBE, RtspMethods.ANNOUNCE, RtspMethods.SETUP, RtspMethods.PLAY,
        RtspMethods.PAUSE, RtspMethods.RECORD, RtspMethods.TEARDOWN, RtspMethods.GET_PARAMETER,
        RtspMethods.SET_PARAMETER, RtspMethods.REDIRECT
    };

    private static final int NO = 0;
    private static final int YES = 1;
    private static final int MORE = 2;

    private enum State
    {
        BOUNDARY, RESYNC, HEADERS, BODY, FAILED
    }

    private final int maxStartLineBytes;
    private final int maxHeaderCount;
    private final int maxHeaderBytes;
    private final int maxBodyBytes;
    private final int maxInterleavedBytes;
    private final long[] channelMask = new long[4];
    private boolean anyChannel = true;

    private State state = State.BOUNDARY;
    private boolean partialIsRequest;
    private String partialMethod;
    private String partialUri;
    private String partialVersion;
    private int partialStatus;
    private String partialReason;
    private RtspHeaders partialHeaders;
    private int headerCount;
    private int headerBytes;
    private int contentLength;

    private long skippedBytes;
    private long resyncCount;
    private long unknownChannelFrames;
    private long decodedMessages;
    private long decodedFrames;

    /**
     * Creates a decoder with the default bounds.
     */
    public RtspDecoder()
    {
        this(DEFAULT_MAX_START_LINE_BYTES, DEFAULT_MAX_HEADER_COUNT, DEFAULT_MAX_HEADER_BYTES,
            DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_INTERLEAVED_BYTES);
    }

    /**
     * @param maxStartLineBytes   bound on the start line, line end excluded; at least 16.
     * @param maxHeaderCount      bound on header lines; at least 1.
     * @param maxHeaderBytes      bound on the header block, line ends included; at least 64.
     * @param maxBodyBytes        bound on Content-Length; at least 0.
     * @param maxInterleavedBytes bound on a frame payload; 1 to 65535.
     * @throws IllegalArgumentException on a bound out of range.
     */
    public RtspDecoder(
        final int maxStartLineBytes,
        final int maxHeaderCount,
        final int maxHeaderBytes,
        final int maxBodyBytes,
        final int maxInterleavedBytes)
    {
        checkBound("maxStartLineBytes", maxStartLineBytes, 16, Integer.MAX_VALUE - 2);
        checkBound("maxHeaderCount", maxHeaderCount, 1, Integer.MAX_VALUE);
        checkBound("maxHeaderBytes", maxHeaderBytes, 64, Integer.MAX_VALUE);
        checkBound("maxBodyBytes", maxBodyBytes, 0, Integer.MAX_VALUE);
        checkBound("maxInterleavedBytes", maxInterleavedBytes, 1, InterleavedFrame.MAX_PAYLOAD_BYTES);
        this.maxStartLineBytes = maxStartLineBytes;
        this.maxHeaderCount = maxHeaderCount;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBodyBytes = maxBodyBytes;
        this.maxInterleavedBytes = maxInterleavedBytes;
    }

    /**
     * Registers an interleaved channel as known (e.g. both ids of a SETUP's {@code interleaved=0-1}). The first
     * call switches from "every channel is known" to "only registered channels are known".
     *
     * @param channel 0 to 255.
     * @throws IllegalArgumentException outside 0 to 255.
     */
    public void allowChannel(final int channel)
    {
        if (channel < 0 || channel > 255)
        {
            throw new IllegalArgumentException("interleaved channel: channel=" + channel);
        }

        if (anyChannel)
        {
            anyChannel = false;
            java.util.Arrays.fill(channelMask, 0L);
        }

        channelMask[channel >>> 6] |= 1L << (channel & 63);
    }

    /**
     * Forgets registered channels: every channel is known again (the initial state).
     */
    public void allowAnyChannel()
    {
        anyChannel = true;
        java.util.Arrays.fill(channelMask, 0L);
    }

    /**
     * @param channel 0 to 255.
     * @return whether frames on this channel count as known.
     */
    public boolean isKnownChannel(final int channel)
    {
        return anyChannel || (channelMask[channel >>> 6] & (1L << (channel & 63))) != 0;
    }

    /**
     * @return bytes skipped while resynchronising (not counting blank lines between messages).
     */
    public long skippedBytes()
    {
        return skippedBytes;
    }

    /**
     * @return how many times framing was lost and a resynchronisation started.
     */
    public long resyncCount()
    {
        return resyncCount;
    }

    /**
     * @return frames delivered on channels not registered with {@link #allowChannel(int)}.
     */
    public long unknownChannelFrames()
    {
        return unknownChannelFrames;
    }

    /**
     * @return requests and responses emitted.
     */
    public long decodedMessages()
    {
        return decodedMessages;
    }

    /**
     * @return interleaved frames emitted.
     */
    public long decodedFrames()
    {
        return decodedFrames;
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        // Loop until more input is needed or something was emitted: ByteToMessageDecoder stops calling us when a
        // call neither consumes bytes nor emits, so a state change alone must not end the call.
        final int outSize = out.size();
        while (out.size() == outSize)
        {
            final boolean progress;
            switch (state)
            {
                case BOUNDARY:
                    progress = decodeBoundary(in, out);
                    break;
                case RESYNC:
                    progress = resync(in);
                    break;
                case HEADERS:
                    progress = decodeHeaders(in, out);
                    break;
                case BODY:
                    progress = decodeBody(in, out);
                    break;
                default:
                    in.skipBytes(in.readableBytes());
                    progress = false;
                    break;
            }

            if (!progress)
            {
                return;
            }
        }
    }

    @Override
    protected void decodeLast(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
        throws Exception
    {
        super.decodeLast(ctx, in, out);

        switch (state)
        {
            case HEADERS:
                throw fail(in, RtspErrorCode.TRUNCATED_MESSAGE, "input closed inside a header block");
            case BODY:
                throw fail(in, RtspErrorCode.TRUNCATED_MESSAGE,
                    "input closed inside a body: contentLength=" + contentLength + " received=" + in.readableBytes());
            case BOUNDARY:
                if (in.isReadable())
                {
                    throw fail(in, RtspErrorCode.TRUNCATED_MESSAGE,
                        "input closed inside a start line or frame: bytes=" + in.readableBytes());
                }

                break;
            case RESYNC:
                skippedBytes += in.readableBytes();
                in.skipBytes(in.readableBytes());
                break;
            default:
                in.skipBytes(in.readableBytes());
                break;
        }
    }

    private boolean decodeBoundary(final ByteBuf in, final List<Object> out)
    {
        while (in.isReadable())
        {
            final byte b = in.getByte(in.readerIndex());
            if (b != CR && b != LF)
            {
                break;
            }

            in.skipBytes(1);
        }

        if (!in.isReadable())
        {
            return false;
        }

        final int start = in.readerIndex();
        if (in.getByte(start) == DOLLAR)
        {
            return decodeFrame(in, out);
        }

        final int kind = classifyStartLine(in, start, in.writerIndex(), false);
        if (kind == MORE)
        {
            return false;
        }

        if (kind == NO)
        {
            resyncCount++;
            state = State.RESYNC;
            return true;
        }

        final int searchEnd = (int)Math.min(in.writerIndex(), (long)start + maxStartLineBytes + 2);
        final int lf = in.indexOf(start, searchEnd, LF);
        if (lf < 0)
        {
            if (in.writerIndex() - start >= maxStartLineBytes + 2)
            {
                throw fail(in, RtspErrorCode.START_LINE_TOO_LONG, "start line over limit: max=" + maxStartLineBytes);
            }

            return false;
        }

        final int lineEnd = trimEnd(in, start, lf);
        if (lineEnd - start > maxStartLineBytes)
        {
            throw fail(in, RtspErrorCode.START_LINE_TOO_LONG, "start line over limit: max=" + maxStartLineBytes);
        }

        final String line = in.toString(start, lineEnd - start, StandardCharsets.ISO_8859_1);
        in.readerIndex(lf + 1);
        parseStartLine(in, line);
        partialHeaders = new RtspHeaders();
        headerCount = 0;
        headerBytes = 0;
        state = State.HEADERS;
        return true;
    }

    private boolean decodeFrame(final ByteBuf in, final List<Object> out)
    {
        if (in.readableBytes() < 4)
        {
            return false;
        }

        final int start = in.readerIndex();
        final int channel = in.getUnsignedByte(start + 1);
        final int length = in.getUnsignedShort(start + 2);
        if (length > maxInterleavedBytes)
        {
            throw fail(in, RtspErrorCode.INTERLEAVED_TOO_LARGE,
                "interleaved frame over limit: channel=" + channel + " length=" + length + " max=" + maxInterleavedBytes);
        }

        if (in.readableBytes() < 4 + length)
        {
            return false;
        }

        in.skipBytes(4);
        final ByteBuf payload = in.readRetainedSlice(length);
        if (!isKnownChannel(channel))
        {
            unknownChannelFrames++;
        }

        decodedFrames++;
        out.add(new InterleavedFrame(channel, payload));
        return true;
    }

    private boolean resync(final ByteBuf in)
    {
        final int end = in.writerIndex();
        int verdict = NO;
        int p = in.readerIndex();
        for (; p < end; p++)
        {
            final byte b = in.getByte(p);
            if (b == DOLLAR)
            {
                verdict = plausibleFrame(in, p, end);
            }
            else if (b >= 'A' && b <= 'Z')
            {
                verdict = classifyStartLine(in, p, end, true);
            }
            else
            {
                continue;
            }

            if (verdict != NO)
            {
                break;
            }
        }

        skippedBytes += p - in.readerIndex();
        in.readerIndex(p);
        if (verdict == YES)
        {
            state = State.BOUNDARY;
            return true;
        }

        return false;
    }

    private int plausibleFrame(final ByteBuf in, final int p, final int end)
    {
        if (end - p < 5)
        {
            return MORE;
        }

        final int channel = in.getUnsignedByte(p + 1);
        final int length = in.getUnsignedShort(p + 2);
        if (!isKnownChannel(channel) || length == 0 || length > maxInterleavedBytes)
        {
            return NO;
        }

        if ((in.getByte(p + 4) & 0xC0) != 0x80)
        {
            return NO;
        }

        final int next = p + 4 + length;
        if (next < end)
        {
            final byte b = in.getByte(next);
            if (b != DOLLAR && b != CR && b != LF && !(b >= 'A' && b <= 'Z'))
            {
                return NO;
            }
        }

        return YES;
    }

    /**
     * @param strict while resynchronising only standard methods count, so random bytes rarely look like a request.
     */
    private static int classifyStartLine(final ByteBuf in, final int p, final int end, final boolean strict)
    {
        final int available = end - p;
        boolean rtsp = true;
        for (int i = 0; i < RTSP_SLASH.length && i < available; i++)
        {
            if (in.getByte(p + i) != RTSP_SLASH[i])
            {
                rtsp = false;
                break;
            }
        }

        if (rtsp)
        {
            return available >= RTSP_SLASH.length ? YES : MORE;
        }

        final byte first = in.getByte(p);
        if (first < 'A' || first > 'Z')
        {
            return NO;
        }

        for (int i = 1; i <= MAX_METHOD_LENGTH; i++)
        {
            if (i >= available)
            {
                return MORE;
            }

            final byte c = in.getByte(p + i);
            if (c == ' ')
            {
                return strict && !isKnownMethod(in, p, i) ? NO : YES;
            }

            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            {
                return NO;
            }
        }

        return NO;
    }

    private static boolean isKnownMethod(final ByteBuf in, final int p, final int length)
    {
        for (final String method : KNOWN_METHODS)
        {
            if (method.length() == length)
            {
                boolean same = true;
                for (int i = 0; i < length && same; i++)
                {
                    same = in.getByte(p + i) == method.charAt(i);
                }

                if (same)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void parseStartLine(final ByteBuf in, final String line)
    {
        final String[] parts = splitWhitespace(line, 3);
        if (line.startsWith("RTSP/"))
        {
            if (parts.length < 2 || !isVersion(parts[0]) || !isStatusCode(parts[1]))
            {
                throw fail(in, RtspErrorCode.MALFORMED_START_LINE, "bad status line");
            }

            partialIsRequest = false;
            partialVersion = parts[0];
            partialStatus = Integer.parseInt(parts[1]);
            partialReason = parts.length == 3 ? parts[2] : "";
            return;
        }

        if (parts.length != 3 || !isVersion(parts[2]) || parts[2].indexOf(' ') >= 0 || parts[2].indexOf('\t') >= 0)
        {
            throw fail(in, RtspErrorCode.MALFORMED_START_LINE, "bad request line");
        }

        for (int i = 0; i < parts[0].length(); i++)
        {
            if (!RtspHeaders.isTokenChar(parts[0].charAt(i)))
            {
                throw fail(in, RtspErrorCode.MALFORMED_START_LINE, "bad request method");
            }
        }

        partialIsRequest = true;
        partialMethod = parts[0];
        partialUri = parts[1];
        partialVersion = parts[2];
    }

    private boolean decodeHeaders(final ByteBuf in, final List<Object> out)
    {
        while (true)
        {
            final int start = in.readerIndex();
            final int budget = maxHeaderBytes - headerBytes;
            final int searchEnd = (int)Math.min(in.writerIndex(), (long)start + budget);
            final int lf = in.indexOf(start, searchEnd, LF);
            if (lf < 0)
            {
                if (in.writerIndex() - start >= budget)
                {
                    throw fail(in, RtspErrorCode.HEADERS_TOO_LARGE, "header block over limit: max=" + maxHeaderBytes);
                }

                return false;
            }

            headerBytes += lf + 1 - start;
            final int lineEnd = trimEnd(in, start, lf);
            in.readerIndex(lf + 1);
            if (lineEnd == start)
            {
                return finishHeaders(in, out);
            }

            final byte first = in.getByte(start);
            if (first == ' ' || first == '\t')
            {
                if (partialHeaders.size() == 0)
                {
                    throw fail(in, RtspErrorCode.MALFORMED_HEADER, "fold line before any header");
                }

                final String more = in.toString(start, lineEnd - start, StandardCharsets.ISO_8859_1).trim();
                final String last = partialHeaders.value(partialHeaders.size() - 1);
                partialHeaders.setLastValue(last.isEmpty() ? more : last + ' ' + more);
                continue;
            }

            addHeader(in, start, lineEnd);
        }
    }

    private void addHeader(final ByteBuf in, final int start, final int lineEnd)
    {
        final int colon = in.indexOf(start, lineEnd, (byte)':');
        if (colon < 0)
        {
            throw fail(in, RtspErrorCode.MALFORMED_HEADER, "header line without colon");
        }

        int nameEnd = colon;
        while (nameEnd > start && isSpace(in.getByte(nameEnd - 1)))
        {
            nameEnd--;
        }

        if (nameEnd == start)
        {
            throw fail(in, RtspErrorCode.MALFORMED_HEADER, "empty header name");
        }

        for (int i = start; i < nameEnd; i++)
        {
            if (!RtspHeaders.isTokenChar(in.getByte(i)))
            {
                throw fail(in, RtspErrorCode.MALFORMED_HEADER, "header name not a token");
            }
        }

        if (++headerCount > maxHeaderCount)
        {
            throw fail(in, RtspErrorCode.TOO_MANY_HEADERS, "too many headers: max=" + maxHeaderCount);
        }

        int valueStart = colon + 1;
        while (valueStart < lineEnd && isSpace(in.getByte(valueStart)))
        {
            valueStart++;
        }

        final String name = in.toString(start, nameEnd - start, StandardCharsets.ISO_8859_1);
        final String value = in.toString(valueStart, lineEnd - valueStart, StandardCharsets.ISO_8859_1);
        partialHeaders.addUnchecked(name, value);
    }

    private boolean finishHeaders(final ByteBuf in, final List<Object> out)
    {
        contentLength = parseContentLength(in);
        if (contentLength == 0)
        {
            emit(out, Unpooled.EMPTY_BUFFER);
            return true;
        }

        state = State.BODY;
        return true;
    }

    private boolean decodeBody(final ByteBuf in, final List<Object> out)
    {
        if (in.readableBytes() < contentLength)
        {
            return false;
        }

        emit(out, in.readRetainedSlice(contentLength));
        return true;
    }

    private int parseContentLength(final ByteBuf in)
    {
        long length = -1;
        for (int i = 0; i < partialHeaders.size(); i++)
        {
            if (!RtspHeaderNames.CONTENT_LENGTH.equalsIgnoreCase(partialHeaders.name(i)))
            {
                continue;
            }

            final long parsed = parseDecimal(partialHeaders.value(i));
            if (parsed < 0 || (length >= 0 && parsed != length))
            {
                throw fail(in, RtspErrorCode.BAD_CONTENT_LENGTH, "bad content-length");
            }

            length = parsed;
        }

        if (length > maxBodyBytes)
        {
            throw fail(in, RtspErrorCode.BODY_TOO_LARGE,
                "body over limit: length=" + length + " max=" + maxBodyBytes);
        }

        return length < 0 ? 0 : (int)length;
    }

    private void emit(final List<Object> out, final ByteBuf body)
    {
        final RtspHeaders headers = partialHeaders;
        final RtspMessage message = partialIsRequest ?
            new RtspRequest(partialMethod, partialUri, partialVersion, headers, body) :
            new RtspResponse(partialStatus, partialReason, partialVersion, headers, body);
        clearPartial();
        state = State.BOUNDARY;
        decodedMessages++;
        out.add(message);
    }

    private void clearPartial()
    {
        partialHeaders = null;
        partialMethod = null;
        partialUri = null;
        partialVersion = null;
        partialReason = null;
        headerCount = 0;
        headerBytes = 0;
        contentLength = 0;
    }

    private RtspProtocolException fail(final ByteBuf in, final RtspErrorCode code, final String message)
    {
        clearPartial();
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        return new RtspProtocolException(code, message);
    }

    /**
     * @return the value (saturating at Long.MAX_VALUE for absurdly long digit strings, which the body bound then
     *         rejects), or -1 when not a decimal number.
     */
    private static long parseDecimal(final String value)
    {
        final int length = value.length();
        if (length == 0)
        {
            return -1;
        }

        long result = 0;
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }

            result = result > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : result * 10 + (c - '0');
        }

        return result;
    }

    private static int trimEnd(final ByteBuf in, final int start, final int lf)
    {
        int end = lf;
        while (end > start)
        {
            final byte b = in.getByte(end - 1);
            if (b != CR && !isSpace(b))
            {
                break;
            }

            end--;
        }

        return end;
    }

    private static boolean isSpace(final int b)
    {
        return b == ' ' || b == '\t';
    }

    private static boolean isVersion(final String text)
    {
        if (!text.startsWith("RTSP/"))
        {
            return false;
        }

        final int dot = text.indexOf('.', 5);
        return dot > 5 && dot < text.length() - 1 && allDigits(text, 5, dot) && allDigits(text, dot + 1, text.length());
    }

    private static boolean isStatusCode(final String text)
    {
        return text.length() == 3 && allDigits(text, 0, 3) && text.charAt(0) != '0';
    }

    private static boolean allDigits(final String text, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }

        return true;
    }

    /**
     * Splits on runs of spaces and tabs into at most {@code limit} parts; the last part keeps inner spaces.
     */
    private static String[] splitWhitespace(final String line, final int limit)
    {
        final String[] parts = new String[limit];
        int count = 0;
        int i = 0;
        final int length = line.length();
        while (i < length && count < limit)
        {
            while (i < length && isSpace(line.charAt(i)))
            {
                i++;
            }

            if (i >= length)
            {
                break;
            }

            int j = i;
            if (count == limit - 1)
            {
                j = length;
            }
            else
            {
                while (j < length && !isSpace(line.charAt(j)))
                {
                    j++;
                }
            }

            parts[count++] = line.substring(i, j).trim();
            i = j;
        }

        return java.util.Arrays.copyOf(parts, count);
    }

    private static void checkBound(final String name, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("rtsp decoder bound: " + name + "=" + value);
        }
    }
}
