package org.otp4j.dist.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handshake that opens a direct connection between two nodes: each proves to the other that it
 * holds the cluster's secret by answering a random challenge with an HMAC-SHA256 keyed from the
 * secret (never the secret, nor a replayable digest, on the wire), and each tells the other its node
 * name and creation.
 *
 * <p>As in Erlang's distribution handshake: the dialling node sends a magic number, its name and
 * its creation; the accepting node answers with its name, its creation and a challenge; the dialler
 * sends a challenge of its own and its proof (the digest of the acceptor's challenge and both
 * names); the accepting node checks it, asks {@code admit} whether it takes the dialler (a node of
 * its cluster's view that dials by the rule), and sends a status byte and, if it admits the
 * dialler, its own proof, which the dialler checks.
 */
public final class Handshake {
  static final int MAGIC = 0x6f747034; // "otp4"
  static final byte VERSION = 1;
  private static final int CHALLENGE = 32;
  private static final byte ADMITTED = 1;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {}

  /** What the other node said of itself. */
  public record Peer(String node, int creation) {}

  /** The handshake failed because a side refused the other: a wrong secret, or a node not admitted. */
  public static final class RefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message);
    }
  }

  /**
   * Dials: runs the handshake as the connecting side.
   *
   * @param key the key derived from the cluster's secret
   * @param expected the node this side meant to reach
   * @throws RefusedException if the other side refused this node (a wrong secret, or not admitted),
   *     does not hold the secret itself, or is not {@code expected}
   */
  public static Peer dial(DataInputStream in, DataOutputStream out, byte[] key, String self, int creation,
      String expected) throws IOException {
    out.writeInt(MAGIC);
    out.writeByte(VERSION);
    out.writeUTF(self);
    out.writeInt(creation);
    out.flush();
    String node = in.readUTF();
    int theirCreation = in.readInt();
    byte[] theirs = readBytes(in, CHALLENGE);
    byte[] mine = challenge();
    out.write(mine);
    out.write(proof(key, "dial", theirs, self, node));
    out.flush();
    if (in.readByte() != ADMITTED) {
      throw new RefusedException("node " + node + " refused this node");
    }
    byte[] proof = readBytes(in, 32);
    if (!MessageDigest.isEqual(proof, proof(key, "accept", mine, self, node))) {
      throw new RefusedException("node " + node + " does not hold the cluster's secret");
    }
    if (!node.equals(expected)) {
      throw new RefusedException("node " + expected + " was expected, " + node + " answered");
    }
    return new Peer(node, theirCreation);
  }

  /**
   * Accepts: runs the handshake as the side that was dialled. The dialler proves it holds the secret
   * first, so that a refusal for a wrong secret is seen (and logged) here.
   *
   * @param admit why the dialler, once it proved it holds the secret, is not admitted; null to admit it
   * @throws RefusedException if the dialler does not hold the secret or is not admitted
   */
  public static Peer accept(DataInputStream in, DataOutputStream out, byte[] key, String self, int creation,
      Function<String, String> admit) throws IOException {
    int magic = in.readInt();
    byte version = in.readByte();
    if (magic != MAGIC || version != VERSION) {
      throw new RefusedException("not a direct connection of this version (magic " + Integer.toHexString(magic)
          + ", version " + version + ")");
    }
    String node = in.readUTF();
    int theirCreation = in.readInt();
    byte[] mine = challenge();
    out.writeUTF(self);
    out.writeInt(creation);
    out.write(mine);
    out.flush();
    byte[] theirs = readBytes(in, CHALLENGE);
    byte[] proof = readBytes(in, 32);
    if (!MessageDigest.isEqual(proof, proof(key, "dial", mine, node, self))) {
      out.writeByte(0);
      out.flush();
      throw new RefusedException("node " + node + " does not hold the cluster's secret");
    }
    String why = admit.apply(node);
    if (why != null) {
      out.writeByte(0);
      out.flush();
      throw new RefusedException("node " + node + " is not admitted: " + why);
    }
    out.writeByte(ADMITTED);
    out.write(proof(key, "accept", theirs, node, self));
    out.flush();
    return new Peer(node, theirCreation);
  }

  private static byte[] challenge() {
    byte[] c = new byte[CHALLENGE];
    RANDOM.nextBytes(c);
    return c;
  }

  private static byte[] readBytes(DataInputStream in, int n) throws IOException {
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  /** HMAC-SHA256 of a direction label, a challenge, and both names (dialler first), keyed by {@code key}. */
  static byte[] proof(byte[] key, String label, byte[] challenge, String dialler, String acceptor) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(label.getBytes(StandardCharsets.UTF_8));
      mac.update(challenge);
      mac.update((byte) 0);
      mac.update(dialler.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      mac.update(acceptor.getBytes(StandardCharsets.UTF_8));
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
