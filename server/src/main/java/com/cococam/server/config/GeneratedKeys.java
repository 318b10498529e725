package com.cococam.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Publish keys for cameras whose configuration gives none, kept in files so they survive restarts.
 * <p>
 * Secure by default: the shipped configuration declares camera {@code cam1} without a key, and no camera is
 * ever open to anyone. On first start {@link #resolveMissing(ServerConfig)} creates
 * {@code <storage.dir>/.keys/<camera>.key} holding 128 random bits from {@link SecureRandom}, written as 22
 * URL-safe Base64 characters ({@code A-Z a-z 0-9 - _}, no padding), and fills the camera's key from it; later
 * starts read the same file. The folder is created with permissions {@code 0700} and each file with
 * {@code 0600}; an existing key file readable by group or others is tightened to {@code 0600}. To rotate a
 * key, delete its file and restart; to pick one yourself, set {@code publishKey} (a configured key wins and
 * its file, if any, is left alone).
 * <p>
 * A new file is written to a temporary name and hard-linked into place, so a reader sees either no file or
 * the whole key, and a key another process created first wins.
 * <p>
 * Thread safety: instances are immutable; concurrent calls for the same camera agree on one key.
 * <p>
 * Note: permissions are only applied on file systems with POSIX attributes; elsewhere the files get the
 * platform defaults.
 */
public final class GeneratedKeys
{
    /**
     * Name of the folder inside {@code storage.dir} that holds key files.
     */
    public static final String KEYS_DIR_NAME = ".keys";

    /**
     * Suffix of a key file: the file for camera {@code cam1} is {@code cam1.key}.
     */
    public static final String KEY_FILE_SUFFIX = ".key";

    /**
     * Random bytes in a generated key: 128 bits.
     */
    public static final int KEY_BYTES = 16;

    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");

    private final Path keysDir;
    private final SecureRandom random;

    /**
     * A key store in the given folder.
     *
     * @param keysDir folder for key files; created with its parents on first write.
     * @param random  source of key bytes.
     */
    public GeneratedKeys(final Path keysDir, final SecureRandom random)
    {
        this.keysDir = Objects.requireNonNull(keysDir, "keysDir");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * The key store beside the recordings: {@code <storage.dir>/.keys}, with a fresh {@link SecureRandom}.
     *
     * @param storage the storage settings.
     * @return a new instance.
     */
    public static GeneratedKeys forStorage(final StorageConfig storage)
    {
        return new GeneratedKeys(storage.keysDir(), new SecureRandom());
    }

    /**
     * A key that was read from or written to a key file.
     *
     * @param camera  the camera name.
     * @param key     the key.
     * @param file    the key file.
     * @param created {@code true} when this call generated the key, {@code false} when it was read.
     */
    public record GeneratedKey(String camera, String key, Path file, boolean created)
    {
        /**
         * Hides the key.
         *
         * @return a description without the key.
         */
        @Override
        public String toString()
        {
            return "GeneratedKey[camera=" + camera + ", file=" + file + ", created=" + created + "]";
        }
    }

    /**
     * The outcome of {@link #resolveMissing(ServerConfig)}.
     *
     * @param config the configuration with every camera's key filled in.
     * @param keys   the keys taken from key files, in camera order; callers print how to publish with them.
     */
    public record Resolution(ServerConfig config, List<GeneratedKey> keys)
    {
        /**
         * Takes a copy of the keys.
         */
        public Resolution
        {
            keys = List.copyOf(keys);
        }
    }

    /**
     * The folder holding the key files.
     *
     * @return the path given at construction.
     */
    public Path keysDir()
    {
        return keysDir;
    }

    /**
     * The key file of a camera.
     *
     * @param camera a valid camera name.
     * @return {@code <keysDir>/<camera>.key}.
     * @throws IllegalArgumentException when the name does not match {@link CameraConfig#NAME_PATTERN}.
     */
    public Path keyFile(final String camera)
    {
        if (!CameraConfig.NAME_PATTERN.matcher(camera).matches())
        {
            throw new IllegalArgumentException("invalid camera name: name=" + camera);
        }

        return keysDir.resolve(camera + KEY_FILE_SUFFIX);
    }

    /**
     * Fills in the key of every camera that has none, reading or creating its key file.
     *
     * @param config a loaded configuration.
     * @return the completed configuration and the keys used; cameras with a configured key are unchanged.
     * @throws IOException when a key file cannot be created or read, or holds an invalid key.
     */
    public Resolution resolveMissing(final ServerConfig config) throws IOException
    {
        final Map<String, CameraConfig> cameras = new LinkedHashMap<>();
        final List<GeneratedKey> keys = new ArrayList<>();
        for (final CameraConfig camera : config.cameras().values())
        {
            if (camera.needsGeneratedKey())
            {
                final GeneratedKey key = loadOrCreate(camera.name());
                keys.add(key);
                cameras.put(camera.name(), camera.withPublishKey(key.key()));
            }
            else
            {
                cameras.put(camera.name(), camera);
            }
        }

        return new Resolution(config.withCameras(cameras), keys);
    }

    /**
     * Reads the camera's key file, creating it with a new random key when it does not exist.
     *
     * @param camera a valid camera name.
     * @return the key, and whether it was created by this call.
     * @throws IOException              when the file cannot be written or read, is not a regular file, or
     *                                  holds no valid key (delete it to have a new one generated).
     * @throws IllegalArgumentException when the camera name is invalid.
     */
    public GeneratedKey loadOrCreate(final String camera) throws IOException
    {
        final Path file = keyFile(camera);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            return new GeneratedKey(camera, read(file), file, false);
        }

        createKeysDir();
        final String key = newKey();
        final Path temp = posix() ?
            Files.createTempFile(keysDir, camera + ".", ".tmp", filePermissions()) :
            Files.createTempFile(keysDir, camera + ".", ".tmp");
        try
        {
            Files.write(temp, (key + "\n").getBytes(StandardCharsets.US_ASCII));
            publish(temp, file);
        }
        catch (final FileAlreadyExistsException ex)
        {
            return new GeneratedKey(camera, read(file), file, false);
        }
        finally
        {
            Files.deleteIfExists(temp);
        }

        return new GeneratedKey(camera, key, file, true);
    }

    /**
     * A new random key.
     *
     * @return {@value #KEY_BYTES} random bytes as URL-safe Base64 without padding (22 characters).
     */
    public String newKey()
    {
        final byte[] bytes = new byte[KEY_BYTES];
        random.nextBytes(bytes);

        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private String read(final Path file) throws IOException
    {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IOException(file + ": not a regular file");
        }

        if (posix())
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (!FILE_PERMISSIONS.containsAll(permissions))
            {
                Files.setPosixFilePermissions(file, FILE_PERMISSIONS);
            }
        }

        final String key = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
        if (key.isEmpty() || !CameraConfig.isValidPublishKey(key))
        {
            throw new IOException(file + ": holds no valid publish key; delete it to generate a new one");
        }

        return key;
    }

    private static void publish(final Path temp, final Path file) throws IOException
    {
        try
        {
            // A hard link fails when the target exists, unlike a rename, so a concurrent creator's key is kept.
            Files.createLink(file, temp);
        }
        catch (final UnsupportedOperationException ex)
        {
            Files.move(temp, file);
        }
    }

    private void createKeysDir() throws IOException
    {
        if (Files.isDirectory(keysDir))
        {
            return;
        }

        final Path parent = keysDir.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }

        try
        {
            if (posix())
            {
                Files.createDirectory(keysDir, PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS));
            }
            else
            {
                Files.createDirectory(keysDir);
            }
        }
        catch (final FileAlreadyExistsException ex)
        {
            if (!Files.isDirectory(keysDir))
            {
                throw ex;
            }
        }
    }

    private boolean posix()
    {
        return keysDir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<Set<PosixFilePermission>> filePermissions()
    {
        return PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS);
    }
}
