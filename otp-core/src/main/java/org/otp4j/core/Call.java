package org.otp4j.core;

/**
 * A request that is answered with a reply of type {@code R}: implement it on a protocol's records so
 * that a call returns the reply's type, checked by javac, with no cast and no type witness.
 *
 * <!-- snippet: org.otp4j.core.TypedProtocolTest#protocol -->
 * {@snippet :
 * sealed interface Msg {
 *   record Get() implements Msg, Call<Integer> {}
 *   record Bump(int by) implements Msg, Call<Integer> {}
 *   record Reset() implements Msg {}   // cast only: no reply
 * }
 * }
 *
 * <p>A call through a {@link ServerRef} of the protocol ({@code GenServer.call(counter, new Get())})
 * then returns an {@code Integer}; the server answers with the matching typed reply
 * ({@code reply(get, n, n)} in a GenServer). It is a marker: it declares no method.
 *
 * @param <R> the type of the reply
 */
public interface Call<R> {}
