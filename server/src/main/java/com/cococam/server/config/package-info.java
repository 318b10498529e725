/**
 * Server configuration: one YAML file plus environment and command-line overrides, validated at start
 * into an immutable {@link com.cococam.server.config.ServerConfig}.
 * <p>
 * Entry points: {@link com.cococam.server.config.ConfigLoader} (file, overrides, validation),
 * {@link com.cococam.server.config.CommandLine} (argument parsing and usage text) and
 * {@link com.cococam.server.config.GeneratedKeys} (publish keys for cameras that were given none).
 * Every key has a {@code *_KEY} and a {@code *_DEFAULT} constant on the record that holds it.
 */
package com.cococam.server.config;
