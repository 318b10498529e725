package com.cococam.server;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.server.config.CameraConfig;
import com.cococam.server.config.ServerConfig;
import com.cococam.server.http.Json;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.record.JournalClock;
import com.cococam.server.record.JournalOptions;
import com.cococam.server.record.JournalWriteException;
import com.cococam.server.record.RecordingGap;
import com.cococam.server.record.RecordingSpan;
import com.cococam.server.record.RetentionPolicy;
import com.cococam.server.record.RetentionTask;
import com.cococam.server.stream.AccessUnitEvent;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.StreamConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recording side of the server: one {@link CameraJournal} per recorded camera, the ring consumers that append
 * to them, the retention sweep, and the spans document of the HTTP API.
 *
 * <p>Threads: appends run on the hub's recorder worker; retention runs on one scheduler thread; the spans
 * document is built on an HTTP event loop (the journal keeps span summaries in memory, no scan).
 */
public final class Recording implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Recording.class);
    private static final long ERROR_LOG_INTERVAL_NS = TimeUnit.MINUTES.toNanos(1);

    private final ServerConfig config;
    private final JournalClock clock;
    private final Map<String, CameraJournal> journals = new ConcurrentHashMap<>();
    private final Map<String, RetentionTask> retention = new ConcurrentHashMap<>();
    private final AtomicLong writeErrors = new AtomicLong();
    private final AtomicLong expiredCycles = new AtomicLong();
    private ScheduledExecutorService scheduler;

    /**
     * @param config the configuration.
     */
    public Recording(final ServerConfig config)
    {
        this(config, JournalClock.SYSTEM);
    }

    /**
     * @param config the configuration.
     * @param clock  wall clock of the journals and of retention (tests inject one).
     */
    public Recording(final ServerConfig config, final JournalClock clock)
    {
        this.config = config;
        this.clock = clock;
    }

    /**
     * Opens the journal of every camera that records, and schedules the retention sweep. A journal that cannot be
     * opened (unwritable folder, ...) is logged and that camera is not recorded; the others are unaffected.
     */
    public void start()
    {
        final JournalOptions options = JournalOptions.defaults().withGapThresholdMs(config.recording().gapMs())
            .withBlockSizeBytes(config.recording().blockSizeMb() * 1024L * 1024);
        for (final CameraConfig camera : config.cameras().values())
        {
            if (!camera.record())
            {
                continue;
            }

            try
            {
                final CameraJournal journal = CameraJournal.open(config.storage().dir(), camera.name(), clock, options);
                journals.put(camera.name(), journal);
                retention.put(camera.name(), new RetentionTask(journal, new RetentionPolicy(camera.retentionDays()),
                    clock));
            }
            catch (final RuntimeException ex)
            {
                LOG.error("[camera {}] recording disabled: {}", camera.name(), ex.getMessage());
            }
        }

        scheduler = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "cococam-retention");
            thread.setDaemon(true);
            return thread;
        });
        final long periodMs = config.recording().retentionCheckMs();
        scheduler.scheduleWithFixedDelay(this::sweepRetention, Math.min(periodMs, 10_000), periodMs,
            TimeUnit.MILLISECONDS);
        LOG.info("recording {} camera(s) to {}", journals.size(), config.storage().dir().toAbsolutePath().normalize());
    }

    /**
     * Deletes every journal cycle older than its camera's plan allows (also run periodically). Any thread.
     *
     * @return cycles deleted by this sweep.
     */
    public synchronized long sweepRetention()
    {
        long deleted = 0;
        for (final RetentionTask task : retention.values())
        {
            final long before = task.deletedCycles();
            task.run();
            deleted += task.deletedCycles() - before;
        }

        expiredCycles.addAndGet(deleted);
        return deleted;
    }

    /**
     * @param path a stream path such as {@code live/cam1}.
     * @return the recorder consumer of that path, or null if it is not a recorded camera.
     */
    public StreamConsumer consumerFor(final String path)
    {
        final CameraConfig camera = path.startsWith(CameraConfig.PATH_PREFIX) ?
            config.camera(path.substring(CameraConfig.PATH_PREFIX.length())) : null;
        if (camera == null)
        {
            return null;
        }

        final CameraJournal journal = journals.get(camera.name());
        return journal == null ? null : new Recorder(journal);
    }

    /**
     * @param camera a camera name.
     * @return its journal, or null when it is not recorded.
     */
    public CameraJournal journal(final String camera)
    {
        return journals.get(camera);
    }

    /**
     * @param camera a camera name.
     * @return the JSON of its spans and gaps, or null for an unknown camera.
     */
    public String spansJson(final String camera)
    {
        final CameraConfig cameraConfig = config.cameras().get(camera);
        if (cameraConfig == null)
        {
            return null;
        }

        final CameraJournal journal = journals.get(camera);
        final StringBuilder out = new StringBuilder(256);
        out.append("{\"camera\":").append(Json.quote(camera))
            .append(",\"record\":").append(cameraConfig.record())
            .append(",\"retentionDays\":").append(cameraConfig.retentionDays())
            .append(",\"spans\":[");
        if (journal != null)
        {
            final List<RecordingSpan> spans = journal.spans();
            for (int i = 0; i < spans.size(); i++)
            {
                final RecordingSpan span = spans.get(i);
                out.append(i == 0 ? "" : ",")
                    .append("{\"start\":").append(Json.quote(Instant.ofEpochMilli(span.startWallClockMs()).toString()))
                    .append(",\"end\":").append(Json.quote(Instant.ofEpochMilli(span.endWallClockMs()).toString()))
                    .append(",\"startMs\":").append(span.startWallClockMs())
                    .append(",\"endMs\":").append(span.endWallClockMs())
                    .append(",\"durationMs\":").append(span.durationMs())
                    .append(",\"bytes\":").append(span.bytes())
                    .append('}');
            }

            out.append("],\"gaps\":[");
            final List<RecordingGap> gaps = journal.gaps();
            for (int i = 0; i < gaps.size(); i++)
            {
                final RecordingGap gap = gaps.get(i);
                out.append(i == 0 ? "" : ",")
                    .append("{\"start\":").append(Json.quote(Instant.ofEpochMilli(gap.startWallClockMs()).toString()))
                    .append(",\"end\":").append(Json.quote(Instant.ofEpochMilli(gap.endWallClockMs()).toString()))
                    .append(",\"durationMs\":").append(gap.durationMs())
                    .append('}');
            }
        }
        else
        {
            out.append("],\"gaps\":[");
        }

        return out.append("]}").toString();
    }

    /**
     * @return Prometheus text of the recorder counters.
     */
    public String metricsText()
    {
        return "# HELP cococam_record_write_errors_total Journal appends that failed (full disk, IO error).\n" +
            "# TYPE cococam_record_write_errors_total counter\n" +
            "cococam_record_write_errors_total " + writeErrors.get() + "\n" +
            "# HELP cococam_record_expired_cycles_total Journal cycles deleted by retention.\n" +
            "# TYPE cococam_record_expired_cycles_total counter\n" +
            "cococam_record_expired_cycles_total " + expiredCycles.get() + "\n";
    }

    @Override
    public void close()
    {
        if (scheduler != null)
        {
            scheduler.shutdownNow();
        }

        for (final CameraJournal journal : journals.values())
        {
            try
            {
                journal.close();
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("[camera {}] closing journal failed: {}", journal.camera(), ex.toString());
            }
        }

        journals.clear();
    }

    /**
     * Ring consumer appending every access unit of one camera to its journal, on the recorder worker.
     */
    private final class Recorder implements StreamConsumer
    {
        private final CameraJournal journal;
        private final TrackFormat[] formats = new TrackFormat[2];
        private long lastErrorLogNs = System.nanoTime() - ERROR_LOG_INTERVAL_NS;

        Recorder(final CameraJournal journal)
        {
            this.journal = journal;
        }

        @Override
        public void onEvent(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
        {
            if (FrameFlags.isEndOfStream(event.flags))
            {
                return;
            }

            try
            {
                final TrackFormat format = event.format();
                if (formats[event.trackId] != format)
                {
                    formats[event.trackId] = format;
                    journal.appendFormat(format, event.wallClockMs);
                }

                journal.appendAccessUnit(event.trackId, event.flags, event.dts, event.pts, event.wallClockMs,
                    event.payload());
            }
            catch (final JournalWriteException ex)
            {
                writeErrors.incrementAndGet();
                if (nowNs - lastErrorLogNs >= ERROR_LOG_INTERVAL_NS)
                {
                    lastErrorLogNs = nowNs;
                    LOG.error("[camera {}] recording write failed (repeats counted in metrics): {}",
                        journal.camera(), ex.getMessage());
                }
            }
        }
    }
}
