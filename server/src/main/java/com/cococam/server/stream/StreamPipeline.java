package com.cococam.server.stream;

/**
 * Makes the consumers of a new stream: the application decides which packagers and recorders a path gets.
 */
public interface StreamPipeline
{
    /**
     * Streams with the live fan-out only: no packager, no recorder (tests and benchmarks of the fan-out).
     */
    StreamPipeline FANOUT_ONLY = new StreamPipeline()
    {
        @Override
        public StreamConsumer[] liveConsumers(final String path)
        {
            return new StreamConsumer[0];
        }

        @Override
        public StreamConsumer recordConsumer(final String path)
        {
            return null;
        }
    };

    /**
     * @param path the new stream's path.
     * @return consumers run on the stream's live worker as their own consumer group, beside the fan-out (e.g. the HLS
     *         packager); may be empty.
     */
    StreamConsumer[] liveConsumers(String path);

    /**
     * @param path the new stream's path.
     * @return the recorder of that path, or null when the path is not recorded.
     */
    StreamConsumer recordConsumer(String path);
}
