package io.nodescope.config;

/** A setting is wrong; the message names the setting, its source and what is accepted. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
