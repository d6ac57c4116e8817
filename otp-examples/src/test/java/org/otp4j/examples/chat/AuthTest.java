package org.otp4j.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Signing up, logging in, and the token that every other frame needs. */
class AuthTest {
  @TempDir
  Path dir;
  ChatServer server;

  @BeforeEach
  void start() {
    server = ChatServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void signUpThenLogInFromAnotherConnection() {
    try (TestClient alice = TestClient.signedUp(server, "alice")) {
      assertThat(alice.token).hasSizeGreaterThan(30);
      try (TestClient again = TestClient.loggedIn(server, "alice")) {
        assertThat(again.user).isEqualTo("alice");
        assertThat(again.token).isNotEqualTo(alice.token);
        again.send("type", "rooms");
        JsonNode rooms = again.take("rooms");
        assertThat(rooms.path("rooms").findValuesAsString("name")).contains("lobby", "general", "random");
      }
    }
  }

  @Test
  void wrongPasswordAndUnknownUserGetTheSameAnswer() {
    TestClient.signedUp(server, "bob").close();
    try (TestClient c = TestClient.connect(server)) {
      c.send("type", "login", "user", "bob", "password", "not-his-password", "ref", "1");
      JsonNode e = c.takeError("invalid_credentials");
      assertThat(e.path("ref").asString()).isEqualTo("1");
      c.send("type", "login", "user", "nobody", "password", "whatever");
      assertThat(c.takeError("invalid_credentials").path("message").asString()).isEqualTo(e.path("message").asString());
    }
  }

  @Test
  void aTakenNameCannotBeSignedUpAgain() {
    TestClient.signedUp(server, "carol").close();
    try (TestClient c = TestClient.connect(server)) {
      c.send("type", "signup", "user", "carol", "password", "another-password");
      assertThat(c.takeError("user_exists").path("message").asString()).contains("'carol' is taken");
      c.send("type", "signup", "user", "x", "password", "long-enough");
      assertThat(c.takeError("invalid_name").path("message").asString()).contains("2 to 24");
      c.send("type", "signup", "user", "dave", "password", "123");
      c.takeError("weak_password");
    }
  }

  @Test
  void framesWithoutAValidTokenAreRefusedAndTheConnectionStaysUp() {
    try (TestClient c = TestClient.connect(server)) {
      c.send("type", "rooms");
      assertThat(c.takeError("unauthenticated").path("message").asString()).contains("needs the session \"token\"");
      c.send("type", "join", "room", "lobby", "token", "forged");
      assertThat(c.takeError("unauthenticated").path("message").asString()).contains("not valid");
      c.send("type", "ping");
      c.take("pong");
    }
  }

  @Test
  void aTokenWorksOnANewConnectionUntilLogout() {
    String token;
    try (TestClient alice = TestClient.signedUp(server, "alice")) {
      token = alice.token;
    }
    try (TestClient resumed = TestClient.connect(server)) {
      resumed.send("type", "auth", "token", token);
      assertThat(resumed.take("authenticated").path("user").asString()).isEqualTo("alice");
      resumed.token = token;
      resumed.send("type", "logout");
      resumed.take("logged_out");
      resumed.send("type", "rooms");
      resumed.takeError("unauthenticated");
    }
  }
}
