/**
 * OTP's behaviours on otp4j's processes: {@link org.otp4j.behaviours.GenServer},
 * {@link org.otp4j.behaviours.GenStatem}, {@link org.otp4j.behaviours.GenEvent},
 * {@link org.otp4j.behaviours.Supervisor} and {@link org.otp4j.behaviours.DynamicSupervisor},
 * {@link org.otp4j.behaviours.Application}, and {@link org.otp4j.behaviours.Sys} to look inside
 * them; Elixir's {@link org.otp4j.behaviours.Agent}. Tasks are in {@link org.otp4j.behaviours.task},
 * publish and subscribe in {@link org.otp4j.behaviours.pubsub}.
 *
 * <h2>What is API and what is engine</h2>
 * Public classes are the API: the behaviours users subclass, their callback results (sealed types
 * built by static factories), the specs and options they pass, and the results and exceptions they
 * get back. Everything package-private is engine. The engines live in this package rather than in
 * an {@code internal} one because they call the behaviours' {@code protected} callbacks directly
 * (see decision record 7); being package-private hides them as well.
 *
 * <h2>Layers, as in OTP</h2>
 * <ol>
 *   <li>{@code Gen}, OTP's {@code proc_lib} and {@code gen}: the start handshake, call, cast,
 *       reply, stop, system messages; {@code GenEngine}, what every loop shares (the guard around
 *       callbacks, terminate, the crash report, the exit); {@code Reports}, the one door to the
 *       logger; {@code Debug}, what {@link org.otp4j.behaviours.Sys} switches on.</li>
 *   <li>The loops: {@code GenServerEngine}, {@code GenStatemEngine} (with {@code StatemTimers}).</li>
 *   <li>Behaviours built as GenServers, as OTP builds them: {@code SupervisorServer} and
 *       {@code DynamicSupervisorServer} (sharing {@code Supervision}), {@code GenEventManager},
 *       {@code ApplicationController} (with {@code AppEnv}), the {@code Server} inside
       {@link org.otp4j.behaviours.Agent}.</li>
 * </ol>
 *
 * <h2>Naming</h2>
 * <ul>
 *   <li>{@code XEngine}: the loop that runs behaviour X in its process ({@code GenServerEngine} runs a
 *       {@link org.otp4j.behaviours.GenServer}).</li>
 *   <li>{@code XServer}, {@code XManager}, {@code XController}: behaviour X's process, itself a
 *       {@link org.otp4j.behaviours.GenServer} (OTP's {@code supervisor} module is a gen_server
 *       too), named after OTP's own name for it.</li>
 *   <li>A room of helpers shared by several engines is named for what it holds ({@code Supervision},
 *       {@code StatemTimers}, {@code AppEnv}).</li>
 * </ul>
 */
package org.otp4j.behaviours;
