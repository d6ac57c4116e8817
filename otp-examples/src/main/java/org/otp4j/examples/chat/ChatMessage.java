package org.otp4j.examples.chat;

/**
 * One message of a room, as it is stored and as it travels: numbered by the room, in order.
 *
 * @param room the room
 * @param seq its number in the room: 1, 2, 3... without gaps, assigned by the room process
 * @param from the sender's user name
 * @param text the text
 * @param ts when the room accepted it, in epoch milliseconds
 * @param clientId the id the sender's client gave it, which makes a retried send idempotent
 */
public record ChatMessage(String room, long seq, String from, String text, long ts, String clientId) {}
