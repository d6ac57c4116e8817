/**
 * Publish and subscribe, Phoenix.PubSub's: processes subscribe to typed topics, anyone broadcasts.
 * Start with {@link org.otp4j.behaviours.pubsub.PubSub}.
 */
package org.otp4j.behaviours.pubsub;
