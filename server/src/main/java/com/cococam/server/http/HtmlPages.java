package com.cococam.server.http;

/**
 * The small HTML pages the server serves itself: the player page of a path and the index.
 *
 * <p>The player uses hls.js served from {@code /assets/hls.min.js} (packaged from its WebJar at build time;
 * nothing is fetched from a CDN) and falls back to native HLS where the browser has it.
 */
final class HtmlPages
{
    private HtmlPages()
    {
    }

    static String player(final String path)
    {
        final String safe = escape(path);
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>COCOCAM - %1$s</title>
            <style>
              body { margin: 0; background: #111; color: #ddd; font: 14px system-ui, sans-serif; }
              header { padding: 8px 12px; }
              video { display: block; width: 100%%; max-height: 90vh; background: #000; }
              #status { color: #8a8; }
            </style>
            </head>
            <body>
            <header><strong>%1$s</strong> <span id="status">connecting</span></header>
            <video id="video" controls autoplay muted playsinline></video>
            <script src="/assets/hls.min.js"></script>
            <script>
            (function () {
              var video = document.getElementById('video');
              var status = document.getElementById('status');
              var src = 'index.m3u8';
              function show(text) { status.textContent = text; }
              video.addEventListener('playing', function () { show('live'); });
              if (window.Hls && Hls.isSupported()) {
                var hls = new Hls({ liveDurationInfinity: true, manifestLoadingMaxRetry: 30,
                                    manifestLoadingRetryDelay: 1000 });
                window.hls = hls;
                hls.on(Hls.Events.ERROR, function (event, data) {
                  if (data.fatal) {
                    show('error: ' + data.details + ', retrying');
                    if (data.type === Hls.ErrorTypes.MEDIA_ERROR) { hls.recoverMediaError(); }
                    else { setTimeout(function () { hls.loadSource(src); }, 2000); }
                  }
                });
                hls.loadSource(src);
                hls.attachMedia(video);
              } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
                video.src = src;
              } else {
                show('this browser cannot play HLS');
              }
            })();
            </script>
            </body>
            </html>
            """.formatted(safe);
    }

    static String index()
    {
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>COCOCAM Media Server</title></head>
            <body style="font: 14px system-ui, sans-serif">
            <h1>COCOCAM Media Server</h1>
            <p>Cameras: <a href="/api/v1/cameras">/api/v1/cameras</a>. Metrics: <a href="/metrics">/metrics</a>.</p>
            <p>Watch a camera at <code>/live/NAME/</code>, e.g. <a href="/live/cam1/">/live/cam1/</a>.</p>
            </body>
            </html>
            """;
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
