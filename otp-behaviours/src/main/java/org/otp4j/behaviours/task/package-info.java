/**
 * Tasks, Elixir's {@code Task} and {@code Task.Supervisor}: a process that computes one value for
 * the process that started it, awaited with a timeout; many of them over a stream of items, with
 * bounded concurrency; and a supervisor of tasks, so that a crashing task need not take its caller
 * down. Start with {@link org.otp4j.behaviours.task.Task}.
 */
package org.otp4j.behaviours.task;
