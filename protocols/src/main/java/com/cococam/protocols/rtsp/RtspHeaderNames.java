package com.cococam.protocols.rtsp;

/**
 * Header names used by RTSP 1.0 (RFC 2326 section 12) and by the cameras we talk to. Lookups in
 * {@link RtspHeaders} are case-insensitive, so these spellings are only what we write.
 *
 * <p>Thread safety: constants only.
 */
public final class RtspHeaderNames
{
    /** {@code Accept}. */
    public static final String ACCEPT = "Accept";
    /** {@code Authorization}: credentials; never printed. */
    public static final String AUTHORIZATION = "Authorization";
    /** {@code Cache-Control}. */
    public static final String CACHE_CONTROL = "Cache-Control";
    /** {@code Content-Base}: base URL for relative SDP control attributes. */
    public static final String CONTENT_BASE = "Content-Base";
    /** {@code Content-Length}: body length in bytes; absent means 0. */
    public static final String CONTENT_LENGTH = "Content-Length";
    /** {@code Content-Location}: second choice of base URL after Content-Base. */
    public static final String CONTENT_LOCATION = "Content-Location";
    /** {@code Content-Type}. */
    public static final String CONTENT_TYPE = "Content-Type";
    /** {@code CSeq}: request sequence number, echoed in the response. */
    public static final String CSEQ = "CSeq";
    /** {@code Date}. */
    public static final String DATE = "Date";
    /** {@code Proxy-Authorization}: credentials; never printed. */
    public static final String PROXY_AUTHORIZATION = "Proxy-Authorization";
    /** {@code Public}: methods a server supports. */
    public static final String PUBLIC = "Public";
    /** {@code Range}. */
    public static final String RANGE = "Range";
    /** {@code RTP-Info}. */
    public static final String RTP_INFO = "RTP-Info";
    /** {@code Server}. */
    public static final String SERVER = "Server";
    /** {@code Session}. */
    public static final String SESSION = "Session";
    /** {@code Transport}. */
    public static final String TRANSPORT = "Transport";
    /** {@code User-Agent}. */
    public static final String USER_AGENT = "User-Agent";
    /** {@code WWW-Authenticate}: challenges; may repeat. */
    public static final String WWW_AUTHENTICATE = "WWW-Authenticate";

    private RtspHeaderNames()
    {
    }
}
