package org.otp4j.examples.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import org.otp4j.behaviours.GenServer;
import org.otp4j.core.Call;
import org.otp4j.core.From;
import org.otp4j.core.Proc;
import org.otp4j.core.ServerRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the configuration file: looks at it every {@code configPoll} and, when its content
 * changed, reads it and has the router apply it. A file that does not parse, or that the router
 * cannot apply, is logged with the reason and otherwise ignored: the gateway keeps running on the
 * configuration it has, and the next good write of the file is applied. Looking at the content
 * (not the modification time, whose granularity can hide two writes in a row) misses no change.
 */
final class ConfigWatcher extends GenServer<ConfigWatcher.State, ConfigWatcher.Msg> {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
  static final ServerRef<Msg> NAME = ServerRef.local("gateway.watcher");

  sealed interface Msg {
    /** The outcome of the last change of the file seen: "applied", or why not. */
    record Last() implements Msg, Call<String> {}
  }

  record Poll() {}

  record State(String content, String last) {}

  private final Gateway gateway;
  private final Path file;

  private ConfigWatcher(Gateway gateway, Path file) {
    this.gateway = gateway;
    this.file = file;
  }

  static ServerRef<Msg> startLink(Gateway gateway, Path file) {
    return GenServer.startLink(NAME, new ConfigWatcher(gateway, file));
  }

  /** What became of the last change of the file: {@code applied} or the reason it was not. */
  static String last() {
    return GenServer.call(NAME, new Msg.Last());
  }

  @Override
  protected Init<State> init() {
    Proc.sendInterval(gateway.settings().configPoll(), Proc.self(), new Poll());
    // What is there now was read at the start (GatewayApp): only a change is news.
    return Init.ok(new State(read(), "applied"));
  }

  @Override
  protected CallResult<State> handleCall(Msg msg, From from, State state) {
    return switch (msg) {
      case Msg.Last l -> reply(l, state.last(), state);
    };
  }

  @Override
  protected CastResult<State> handleInfo(Object message, State state) {
    if (!(message instanceof Poll)) {
      return noReply(state);
    }
    Proc.flush(m -> m instanceof Poll);
    String now = read();
    if (now == null || Objects.equals(now, state.content())) {
      return noReply(state);
    }
    String outcome;
    try {
      Router.Applied a = Router.apply(GatewayConfig.parse(now), file.toString());
      outcome = a instanceof Router.Applied.Failed(String why) ? why : "applied";
    } catch (GatewayConfig.ConfigException e) {
      outcome = e.getMessage();
    }
    if (!outcome.equals("applied")) {
      LOG.warn("{} changed but was not applied, the gateway keeps its configuration: {}", file, outcome);
    }
    return noReply(new State(now, outcome));
  }

  private String read() {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", file, e.toString());
      return null;
    }
  }
}
