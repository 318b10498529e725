package com.cococam.server.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where recordings and server-owned state (generated publish keys) live on disk.
 * <p>
 * Thread safety: immutable; equal settings compare equal.
 *
 * @param dir the storage directory, see {@link #DIR_KEY}; relative paths resolve against the working
 *            directory of the process, not against the configuration file.
 */
public record StorageConfig(Path dir)
{
    /**
     * Directory for recordings; created on demand. Generated publish keys go to its {@code .keys} folder.
     */
    public static final String DIR_KEY = "storage.dir";

    /**
     * Default for {@link #DIR_KEY}.
     */
    public static final String DIR_DEFAULT = "./recordings";

    /**
     * Checks that a directory is given.
     *
     * @throws NullPointerException when {@code dir} is null.
     */
    public StorageConfig
    {
        Objects.requireNonNull(dir, "dir");
    }

    /**
     * The folder holding generated publish keys: {@code <dir>/.keys}.
     *
     * @return the path; it may not exist yet.
     */
    public Path keysDir()
    {
        return dir.resolve(GeneratedKeys.KEYS_DIR_NAME);
    }

    /**
     * The settings with every key at its default.
     *
     * @return a new instance.
     */
    public static StorageConfig defaults()
    {
        return new StorageConfig(Path.of(DIR_DEFAULT));
    }
}
