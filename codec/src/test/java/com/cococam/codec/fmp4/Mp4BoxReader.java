package com.cococam.codec.fmp4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: a minimal ISO BMFF box walker (32-bit sizes only) for checking what the writers produce.
 */
final class Mp4BoxReader
{
    private static final List<String> CONTAINERS = List.of("moov", "trak", "mdia", "minf", "stbl", "mvex", "moof",
        "traf", "dinf");

    private Mp4BoxReader()
    {
    }

    /**
     * A box found in the file.
     *
     * @param type   four characters.
     * @param path   slash-separated types from the top.
     * @param offset absolute offset of the box.
     * @param size   whole box size.
     */
    record Box(String type, String path, int offset, int size)
    {
    }

    static List<Box> walk(final byte[] bytes)
    {
        final List<Box> boxes = new ArrayList<>();
        walk(Unpooled.wrappedBuffer(bytes), 0, bytes.length, "", boxes);
        return boxes;
    }

    static List<Box> find(final byte[] bytes, final String path)
    {
        final List<Box> found = new ArrayList<>();
        for (final Box box : walk(bytes))
        {
            if (box.path().equals(path))
            {
                found.add(box);
            }
        }

        return found;
    }

    private static void walk(final ByteBuf buf, final int from, final int to, final String parent, final List<Box> out)
    {
        int index = from;
        while (index + 8 <= to)
        {
            final int size = buf.getInt(index);
            if (size < 8 || index + size > to)
            {
                throw new AssertionError("bad box size " + size + " at " + index);
            }

            final byte[] type = new byte[4];
            buf.getBytes(index + 4, type);
            final String name = new String(type, java.nio.charset.StandardCharsets.US_ASCII);
            final String path = parent.isEmpty() ? name : parent + "/" + name;
            out.add(new Box(name, path, index, size));
            if (CONTAINERS.contains(name))
            {
                walk(buf, index + 8, index + size, path, out);
            }
            else if (name.equals("stsd"))
            {
                walk(buf, index + 16, index + size, path, out);
            }

            index += size;
        }

        if (index != to)
        {
            throw new AssertionError("trailing bytes in " + parent);
        }
    }
}
