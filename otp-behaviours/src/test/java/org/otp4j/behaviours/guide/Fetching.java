package org.otp4j.behaviours.guide;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.otp4j.behaviours.ChildSpec;
import org.otp4j.behaviours.GenServer;
import org.otp4j.behaviours.task.Task;
import org.otp4j.behaviours.task.TaskSupervisor;
import org.otp4j.core.Name;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;

/** Chapter 9: tasks that fetch pages, each in its own process. */
final class Fetching {
  private Fetching() {}

  /** Stands for a slow call to another system: a page's text, or an exception for a bad address. */
  static String fetch(String url) {
    if (url.startsWith("bad:")) {
      throw new IllegalArgumentException("cannot reach " + url);
    }
    if (url.startsWith("slow:")) {
      Proc.receive(m -> false, Proc.INFINITY); // never answers
    }
    return "<html>" + url + "</html>";
  }

  static Map<String, Integer> firstExample(List<String> urls) {
    // region: first
    Map<String, Integer> sizes;
    try (Stream<Task.Result<String>> pages = Task.asyncStream(urls, Fetching::fetch,
        Task.StreamOptions.defaults().withMaxConcurrency(8).withTimeout(Duration.ofSeconds(2))
            .withOnTimeout(Task.StreamOptions.OnTimeout.KILL_TASK))) {
      sizes = pages.flatMap(r -> r instanceof Task.Ok<String>(String page) ? Stream.of(page) : Stream.empty())
          .collect(Collectors.toMap(page -> page, String::length));
    }
    // endregion: first
    return sizes;
  }

  static int asyncAwait() {
    // region: async-await
    Task<String> home = Task.async(() -> fetch("example.org/"));
    Task<String> about = Task.async(() -> fetch("example.org/about"));
    // ... both run while this process goes on ...
    int total = home.await().length() + about.await(Duration.ofSeconds(10)).length();
    // endregion: async-await
    return total;
  }

  static Optional<Task.Result<String>> yieldThenShutdown(String url) {
    // region: yield-shutdown
    Task<String> task = Task.async(() -> fetch(url));
    Optional<Task.Result<String>> result = task.yield(Duration.ofSeconds(2));
    if (result.isEmpty()) {
      result = task.shutdown();   // the reply may still have come in the meantime
    }
    // endregion: yield-shutdown
    return result;
  }

  static String describe(Optional<Task.Result<String>> result) {
    // region: results
    return switch (result.orElse(null)) {
      case Task.Ok<String>(String page) -> "fetched " + page.length() + " characters";
      case Task.Exit<String>(var reason) -> "the task ended without a page: " + reason;
      case null -> "gave up: still running after 2 s";
    };
    // endregion: results
  }

  // ---------------------------------------------------------------------------------------
  // a server that hands slow work to supervised tasks

  // region: crawler
  /** Fetches pages in tasks under a task supervisor, and keeps what came back. */
  static final class Crawler extends GenServer<Crawler.State, Crawler.Msg> {
    sealed interface Msg {
      record Crawl(String url) implements Msg {}
      record Pages() implements Msg, org.otp4j.core.Call<Map<String, String>> {}
    }

    /** What each running task is fetching, and what has been fetched (or why not). */
    record State(Map<Task<String>, String> running, Map<String, String> pages) {}

    static final Name TASKS = Name.local("crawler-tasks");

    static List<ChildSpec> children() {
      return List.of(TaskSupervisor.childSpec("crawler-tasks", TASKS),
          ChildSpec.worker("crawler", () -> GenServer.startLink(NAME, new Crawler())));
    }

    static final ServerRef<Msg> NAME = ServerRef.local("crawler");

    @Override
    protected Init<State> init() {
      return Init.ok(new State(Map.of(), Map.of()));
    }

    @Override
    protected CastResult<State> handleCast(Msg msg, State state) {
      return switch (msg) {
        case Msg.Crawl(String url) -> {
          Task<String> task = TaskSupervisor.asyncNolink(TASKS, () -> fetch(url)); // a crash stays in the task
          yield noReply(new State(with(state.running(), task, url), state.pages()));
        }
        case Msg.Pages pages -> noReply(state);
      };
    }

    @Override
    protected CallResult<State> handleCall(Msg msg, org.otp4j.core.From from, State state) {
      return switch (msg) {
        case Msg.Pages pages -> reply(pages, state.pages(), state);
        case Msg.Crawl crawl -> reply(null, state);
      };
    }

    @Override
    protected CastResult<State> handleInfo(Object message, State state) {
      for (var entry : state.running().entrySet()) {
        Optional<Task.Result<String>> done = entry.getKey().result(message); // its reply, or its Down
        if (done.isPresent()) {
          String outcome = switch (done.get()) {
            case Task.Ok<String>(String page) -> page;
            case Task.Exit<String>(var reason) -> "failed: " + reason;
          };
          return noReply(new State(without(state.running(), entry.getKey()),
              with(state.pages(), entry.getValue(), outcome)));
        }
      }
      return noReply(state); // not a task's message
    }
  }
  // endregion: crawler

  static <K, V> Map<K, V> with(Map<K, V> map, K key, V value) {
    var copy = new java.util.HashMap<>(map);
    copy.put(key, value);
    return Map.copyOf(copy);
  }

  static <K, V> Map<K, V> without(Map<K, V> map, K key) {
    var copy = new java.util.HashMap<>(map);
    copy.remove(key);
    return Map.copyOf(copy);
  }
}
