package org.otp4j.dist.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.security.MessageDigest;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token a node shows when it joins: a digest of the cluster's secret (never the secret itself).
 * The coordinator admits a joining node only if its digest is the same, and logs a refusal.
 */
public final class SecretToken extends AuthToken {
  private static final Logger LOG = LoggerFactory.getLogger("org.otp4j.dist.Cluster");
  private static final int MAX_DIGEST = 64;

  private byte[] digest = new byte[0];

  /** For JGroups, which makes the token of a join request reflectively and then reads it. */
  public SecretToken() {}

  SecretToken(byte[] digest) {
    this.digest = digest.clone();
  }

  @Override
  public String getName() {
    return SecretToken.class.getName();
  }

  @Override
  public int size() {
    return Integer.BYTES + digest.length;
  }

  @Override
  public boolean authenticate(AuthToken token, Message msg) {
    boolean same = token instanceof SecretToken other && MessageDigest.isEqual(digest, other.digest);
    if (!same) {
      LOG.atWarn()
          .addKeyValue("label", "node_refused")
          .addKeyValue("from", msg == null ? null : String.valueOf(msg.getSrc()))
          .log("refused a node that does not hold the cluster's secret: {}", msg == null ? "?" : msg.getSrc());
    }
    return same;
  }

  @Override
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(digest.length);
    out.write(digest);
  }

  @Override
  public void readFrom(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_DIGEST) {
      throw new IOException("an authentication token of " + n + " bytes");
    }
    digest = new byte[n];
    in.readFully(digest);
  }
}
