package com.cococam.codec.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(30)
class RtpSequenceTrackerTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // name | sequence numbers | verdicts (first letter each) | lost | duplicates | late | extended highest
        "in order            | 10 11 12 13         | F I I I     | 0 | 0 | 0 | 13",
        "wrap                | 65534 65535 0 1     | F I I I     | 0 | 0 | 0 | 65537",
        "gap of two          | 1 2 5 6             | F I G I     | 2 | 0 | 0 | 6",
        "gap across wrap     | 65535 2             | F G         | 2 | 0 | 0 | 65538",
        "duplicate of last   | 1 2 2 3             | F I D I     | 0 | 1 | 0 | 3",
        "older duplicate     | 1 2 3 2             | F I I D     | 0 | 1 | 0 | 3",
        "reordered pair      | 1 3 2 4             | F G L I     | 0 | 0 | 1 | 4",
        "late then duplicate | 1 3 2 2             | F G L D     | 0 | 1 | 1 | 3",
        "jump then back      | 1 2 9000 3          | F I J I     | 0 | 0 | 0 | 3",
        "jump and restart    | 1 2 9000 9001 9002  | F I J R I   | 0 | 0 | 0 | 9002",
        "far behind is jump  | 500 501 300         | F I J       | 0 | 0 | 0 | 501",
    })
    void shouldClassifyTable(final String name, final String seqs, final String verdicts, final long lost,
        final long duplicates, final long late, final long highest)
    {
        final RtpSequenceTracker tracker = new RtpSequenceTracker();
        final List<String> got = new ArrayList<>();

        for (final String seq : seqs.trim().split(" +"))
        {
            got.add(tracker.onPacket(Integer.parseInt(seq)).name().substring(0, 1));
        }

        assertEquals(Arrays.asList(verdicts.trim().split(" +")), got);
        assertEquals(lost, tracker.lost());
        assertEquals(duplicates, tracker.duplicates());
        assertEquals(late, tracker.late());
        assertEquals(highest, tracker.extendedHighestSequence());
    }

    @Test
    void shouldReportGapSizeAndCountWrapsOverALongRun()
    {
        final RtpSequenceTracker tracker = new RtpSequenceTracker();
        int seq = 60_000;
        tracker.onPacket(seq);
        long lost = 0;
        for (int i = 1; i < 300_000; i++)
        {
            final int step = i % 1000 == 0 ? 4 : 1;
            seq += step;
            final RtpSequenceTracker.Verdict verdict = tracker.onPacket(seq);
            assertEquals(step == 1 ? RtpSequenceTracker.Verdict.IN_ORDER : RtpSequenceTracker.Verdict.GAP, verdict);
            assertEquals(step - 1, tracker.lastGap());
            lost += step - 1;
        }

        assertEquals(lost, tracker.lost());
        assertEquals(seq, tracker.extendedHighestSequence());
        assertEquals(seq >>> 16, tracker.wraps());
        assertEquals(300_000, tracker.received());
    }

    @Test
    void shouldStartOverAfterReset()
    {
        final RtpSequenceTracker tracker = new RtpSequenceTracker();
        tracker.onPacket(7);
        tracker.reset();

        assertEquals(RtpSequenceTracker.Verdict.FIRST, tracker.onPacket(30_000));
        assertEquals(RtpSequenceTracker.Verdict.IN_ORDER, tracker.onPacket(30_001));
    }
}
