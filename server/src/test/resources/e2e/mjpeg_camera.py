"""A Motion JPEG IP camera for the end-to-end tests: a GstRtspServer on 127.0.0.1 whose one stream is
videotestsrc -> jpegenc -> rtpjpegpay (RFC 2435, payload type 26). Prints "READY <url>" when it listens.

  /usr/bin/python3 mjpeg_camera.py --port 8554 --path /cam [--format I420|Y42B] [--width 320 --height 240]
"""
import argparse

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8554)
    p.add_argument("--path", default="/cam")
    p.add_argument("--format", default="I420")
    p.add_argument("--width", type=int, default=320)
    p.add_argument("--height", type=int, default=240)
    p.add_argument("--fps", type=int, default=15)
    a = p.parse_args()

    Gst.init(None)
    launch = (f"( videotestsrc is-live=true pattern=smpte ! video/x-raw,format={a.format},width={a.width},"
              f"height={a.height},framerate={a.fps}/1 ! jpegenc quality=70 ! rtpjpegpay name=pay0 pt=26 )")
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(a.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(True)
    server.get_mount_points().add_factory(a.path, factory)
    server.attach(None)
    print(f"READY rtsp://127.0.0.1:{a.port}{a.path}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
