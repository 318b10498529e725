package com.cococam.server.stream;

/**
 * Makes the consumers of a new stream: the application decides which packagers and recorders a path gets.
 */
public interface StreamPipeline
{
    /**
     * @param path the new stream's path.
     * @return consumers run on the stream's live worker after the fan-out (e.g. the HLS packager); may be empty.
     */
    StreamConsumer[] liveConsumers(String path);

    /**
     * @param path the new stream's path.
     * @return the recorder of that path, or null when the path is not recorded.
     */
    StreamConsumer recordConsumer(String path);
}
