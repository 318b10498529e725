package com.cococam.protocols.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes {@link RtspRequest}, {@link RtspResponse} and {@link InterleavedFrame} messages to bytes; other
 * messages pass through.
 *
 * <p>Messages: start line, headers in order, CRLF line ends, blank line, body. When the body is not empty and
 * no Content-Length header is present, one is appended; a Content-Length that disagrees with the body, or a
 * message whose start line fields hold CR, LF or spaces where they must not, fails with an
 * {@link RtspProtocolException} of code {@link RtspErrorCode#ENCODE} (wrapped by Netty in an
 * {@code EncoderException}). Text is written as ISO-8859-1.
 *
 * <p>Frames: a 4-byte header ({@code $}, channel, 16-bit length) followed by the payload.
 *
 * <p>Buffer ownership: the encoder takes ownership of each message it encodes. Bodies and payloads are not
 * copied: they go out as retained buffers after a freshly allocated head buffer.
 *
 * <p>Thread safety: stateless, {@link ChannelHandler.Sharable}.
 */
@ChannelHandler.Sharable
public final class RtspEncoder extends MessageToMessageEncoder<Object>
{
    /**
     * Creates an encoder.
     */
    public RtspEncoder()
    {
        super(Object.class);
    }

    @Override
    public boolean acceptOutboundMessage(final Object msg)
    {
        return msg instanceof RtspMessage || msg instanceof InterleavedFrame;
    }

    @Override
    protected void encode(final ChannelHandlerContext ctx, final Object msg, final List<Object> out)
    {
        if (msg instanceof InterleavedFrame)
        {
            final InterleavedFrame frame = (InterleavedFrame)msg;
            final int length = frame.content().readableBytes();
            if (length > InterleavedFrame.MAX_PAYLOAD_BYTES)
            {
                throw new RtspProtocolException(RtspErrorCode.ENCODE, "interleaved payload too large: length=" + length);
            }

            final ByteBuf head = ctx.alloc().buffer(4);
            head.writeByte('$').writeByte(frame.channel()).writeShort(length);
            out.add(head);
            if (length > 0)
            {
                out.add(frame.content().retain());
            }

            return;
        }

        final RtspMessage message = (RtspMessage)msg;
        final ByteBuf head = ctx.alloc().buffer(256);
        try
        {
            writeHead(message, head);
        }
        catch (final RuntimeException ex)
        {
            head.release();
            throw ex;
        }

        out.add(head);
        if (message.content().isReadable())
        {
            out.add(message.content().retain());
        }
    }

    /**
     * Writes the start line, headers (plus Content-Length when needed) and the blank line of a message.
     *
     * @param message the message; not modified, its body not read.
     * @param out     destination; written from its writer index.
     * @throws RtspProtocolException code {@link RtspErrorCode#ENCODE} when the message cannot be written.
     */
    public static void writeHead(final RtspMessage message, final ByteBuf out)
    {
        if (message instanceof RtspRequest)
        {
            final RtspRequest request = (RtspRequest)message;
            checkStartLineField(request.method(), false);
            checkStartLineField(request.uri(), false);
            checkStartLineField(request.version(), false);
            writeText(out, request.method());
            out.writeByte(' ');
            writeText(out, request.uri());
            out.writeByte(' ');
            writeText(out, request.version());
        }
        else
        {
            final RtspResponse response = (RtspResponse)message;
            checkStartLineField(response.version(), false);
            checkStartLineField(response.reason(), true);
            if (response.statusCode() < 100 || response.statusCode() > 999)
            {
                throw new RtspProtocolException(RtspErrorCode.ENCODE, "status code: code=" + response.statusCode());
            }

            writeText(out, response.version());
            out.writeByte(' ');
            writeText(out, Integer.toString(response.statusCode()));
            if (!response.reason().isEmpty())
            {
                out.writeByte(' ');
                writeText(out, response.reason());
            }
        }

        out.writeByte('\r').writeByte('\n');
        writeHeaders(message, out);
        out.writeByte('\r').writeByte('\n');
    }

    private static void writeHeaders(final RtspMessage message, final ByteBuf out)
    {
        final RtspHeaders headers = message.headers();
        final int bodyBytes = message.content().readableBytes();
        boolean sawLength = false;
        for (int i = 0; i < headers.size(); i++)
        {
            final String name = headers.name(i);
            if (RtspHeaderNames.CONTENT_LENGTH.equalsIgnoreCase(name))
            {
                if (!headers.value(i).trim().equals(Integer.toString(bodyBytes)))
                {
                    throw new RtspProtocolException(RtspErrorCode.ENCODE,
                        "content-length disagrees with body: bodyBytes=" + bodyBytes);
                }

                sawLength = true;
            }

            writeText(out, name);
            out.writeByte(':').writeByte(' ');
            writeText(out, headers.value(i));
            out.writeByte('\r').writeByte('\n');
        }

        if (!sawLength && bodyBytes > 0)
        {
            writeText(out, RtspHeaderNames.CONTENT_LENGTH);
            out.writeByte(':').writeByte(' ');
            writeText(out, Integer.toString(bodyBytes));
            out.writeByte('\r').writeByte('\n');
        }
    }

    private static void checkStartLineField(final String value, final boolean spacesAllowed)
    {
        if (value == null || (!spacesAllowed && value.isEmpty()))
        {
            throw new RtspProtocolException(RtspErrorCode.ENCODE, "empty start line field");
        }

        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || (!spacesAllowed && (c == ' ' || c == '\t')))
            {
                throw new RtspProtocolException(RtspErrorCode.ENCODE, "start line field holds a forbidden character");
            }
        }
    }

    private static void writeText(final ByteBuf out, final String text)
    {
        out.writeCharSequence(text, StandardCharsets.ISO_8859_1);
    }
}
