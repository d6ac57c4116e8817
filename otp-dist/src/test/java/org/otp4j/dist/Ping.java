package org.otp4j.dist;

import org.otp4j.core.Pid;

/**
 * The message of the distribution tests: who sent it, and a text.
 *
 * @param from the sender
 * @param text the text
 */
public record Ping(Pid from, String text) {}
