package com.cococam.protocols.rtsp.auth;

import java.util.Objects;

/**
 * A user name and password.
 *
 * <p>{@link #toString()} prints the user name only; the password never appears in text this package produces
 * (toString, exception messages).
 *
 * <p>Thread safety: immutable.
 */
public final class Credentials
{
    private final String username;
    private final String password;

    /**
     * @param username user name, may be empty, no CR/LF.
     * @param password password, may be empty.
     * @throws IllegalArgumentException when either is null or the user name holds CR, LF or {@code "}.
     */
    public Credentials(final String username, final String password)
    {
        if (username == null || password == null)
        {
            throw new IllegalArgumentException("credentials: null");
        }

        if (username.indexOf('\r') >= 0 || username.indexOf('\n') >= 0 || username.indexOf('"') >= 0)
        {
            throw new IllegalArgumentException("credentials: user name holds CR, LF or quote");
        }

        this.username = username;
        this.password = password;
    }

    /**
     * @return the user name.
     */
    public String username()
    {
        return username;
    }

    /**
     * @return the password; handle with care, never log it.
     */
    public String password()
    {
        return password;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Credentials && ((Credentials)other).username.equals(username) &&
            ((Credentials)other).password.equals(password);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(username, password);
    }

    @Override
    public String toString()
    {
        return "Credentials[username=" + username + ", password=<redacted>]";
    }
}
