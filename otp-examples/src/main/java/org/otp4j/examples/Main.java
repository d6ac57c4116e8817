package org.otp4j.examples;

import org.otp4j.examples.demo.Tour;

/** Runs the examples. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Tour.run(System.out);
  }
}
