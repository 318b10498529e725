package com.cococam.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GeneratedKeysTest
{
    @TempDir
    Path dir;

    private static ServerConfig storageAt(final Path storage, final String yamlCameras) throws ConfigException
    {
        return ConfigLoader.fromYaml("storage:\n  dir: " + storage + "\ncameras:\n" + yamlCameras, "t.yaml",
            new String[0], Map.of());
    }

    @Test
    void shouldCreateAPrivate128BitUrlSafeKeyFileOnceAndReuseIt() throws IOException
    {
        final Path storage = dir.resolve("recordings");
        final GeneratedKeys keys = GeneratedKeys.forStorage(new StorageConfig(storage));

        final GeneratedKeys.GeneratedKey first = keys.loadOrCreate("cam1");
        final GeneratedKeys.GeneratedKey second = keys.loadOrCreate("cam1");

        final Path file = storage.resolve(".keys").resolve("cam1.key");
        assertEquals(file, first.file());
        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(first.key(), second.key());
        assertEquals(first.key() + "\n", Files.readString(file, StandardCharsets.US_ASCII));
        assertEquals(22, first.key().length());
        assertTrue(first.key().matches("[A-Za-z0-9_-]{22}"));
        assertEquals(16, Base64.getUrlDecoder().decode(first.key()).length);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        try (var listing = Files.list(file.getParent()))
        {
            assertEquals(List.of(file), listing.toList());
        }

        assertFalse(first.toString().contains(first.key()));
    }

    @Test
    void shouldGiveEachCameraItsOwnKey() throws IOException
    {
        final GeneratedKeys keys = new GeneratedKeys(dir.resolve("k"), new SecureRandom());

        assertNotEquals(keys.loadOrCreate("cam1").key(), keys.loadOrCreate("cam2").key());
    }

    @Test
    void shouldFillOnlyMissingKeysAndKeepThemAcrossRestarts() throws IOException, ConfigException
    {
        final Path storage = dir.resolve("rec");
        final ServerConfig loaded = storageAt(storage, "  cam1:\n  cam2:\n    publishKey: mine\n");

        final GeneratedKeys.Resolution first = GeneratedKeys.forStorage(loaded.storage()).resolveMissing(loaded);
        final GeneratedKeys.Resolution restart = GeneratedKeys.forStorage(loaded.storage()).resolveMissing(loaded);

        assertEquals(1, first.keys().size());
        assertEquals("cam1", first.keys().get(0).camera());
        assertTrue(first.keys().get(0).created());
        assertFalse(restart.keys().get(0).created());
        final CameraConfig cam1 = first.config().camera("cam1");
        assertFalse(cam1.needsGeneratedKey());
        assertTrue(cam1.acceptsKey(first.keys().get(0).key()));
        assertTrue(first.config().camera("cam2").acceptsKey("mine"));
        assertFalse(Files.exists(storage.resolve(".keys/cam2.key")));
        assertEquals(first.config(), restart.config());
        assertEquals(List.of("cam1", "cam2"), List.copyOf(first.config().cameras().keySet()));
    }

    @Test
    void shouldTightenAKeyFileOthersCanRead() throws IOException
    {
        final Path keysDir = dir.resolve(".keys");
        Files.createDirectories(keysDir);
        final Path file = keysDir.resolve("cam1.key");
        Files.writeString(file, "operatorChosenKey\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        final GeneratedKeys.GeneratedKey key = new GeneratedKeys(keysDir, new SecureRandom()).loadOrCreate("cam1");

        assertEquals("operatorChosenKey", key.key());
        assertFalse(key.created());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void shouldRefuseAKeyFileWithoutAValidKey() throws IOException
    {
        final Path keysDir = dir.resolve(".keys");
        Files.createDirectories(keysDir);
        Files.writeString(keysDir.resolve("empty.key"), "\n");
        Files.writeString(keysDir.resolve("bad.key"), "has space\n");
        final GeneratedKeys keys = new GeneratedKeys(keysDir, new SecureRandom());

        final IOException empty = assertThrows(IOException.class, () -> keys.loadOrCreate("empty"));
        final IOException bad = assertThrows(IOException.class, () -> keys.loadOrCreate("bad"));

        assertTrue(empty.getMessage().endsWith("empty.key: holds no valid publish key; delete it to generate a " +
            "new one"));
        assertTrue(bad.getMessage().contains("bad.key"));
        assertEquals("has space\n", Files.readString(keysDir.resolve("bad.key")));
    }

    @Test
    void shouldRejectAPathEscapingCameraName()
    {
        final GeneratedKeys keys = new GeneratedKeys(dir, new SecureRandom());

        assertThrows(IllegalArgumentException.class, () -> keys.loadOrCreate("../etc"));
        assertThrows(IllegalArgumentException.class, () -> keys.keyFile("A"));
    }
}
