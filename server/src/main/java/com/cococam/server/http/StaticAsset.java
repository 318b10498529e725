package com.cococam.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * A file served from the class path, read once at start into an unreleasable buffer.
 *
 * @param data        the bytes; write {@code duplicate()}s.
 * @param contentType its media type.
 */
public record StaticAsset(ByteBuf data, String contentType)
{
    /**
     * @param resource    class path resource name (no leading slash).
     * @param contentType media type.
     * @return the asset.
     * @throws IllegalStateException if the resource is missing.
     */
    public static StaticAsset load(final String resource, final String contentType)
    {
        try (InputStream in = StaticAsset.class.getClassLoader().getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalStateException("missing class path resource: " + resource);
            }

            // A wrapped heap array: lives as long as the server, outside the pooled (leak-tracked) allocator.
            final ByteBuf buffer = Unpooled.wrappedBuffer(in.readAllBytes());
            return new StaticAsset(Unpooled.unreleasableBuffer(buffer.asReadOnly()), contentType);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read class path resource: " + resource, ex);
        }
    }

    /**
     * Finds the hls.js player in its WebJar (a Maven dependency), whatever its version.
     *
     * @return the minified player.
     */
    public static StaticAsset hlsJs()
    {
        final String properties = "META-INF/maven/org.webjars.npm/hls.js/pom.properties";
        try (InputStream in = StaticAsset.class.getClassLoader().getResourceAsStream(properties))
        {
            if (in == null)
            {
                throw new IllegalStateException("hls.js WebJar not on the class path");
            }

            final Properties pom = new Properties();
            pom.load(in);
            final String version = pom.getProperty("version");
            return load("META-INF/resources/webjars/hls.js/" + version + "/dist/hls.min.js",
                "application/javascript; charset=utf-8");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read hls.js WebJar", ex);
        }
    }
}
