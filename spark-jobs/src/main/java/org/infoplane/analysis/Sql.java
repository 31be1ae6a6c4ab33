package org.infoplane.analysis;

/**
 * Quoting of SQL text, in one place. Values belong in parameters or the DataFrame API, never in the
 * text; what is left to quote is an identifier.
 */
final class Sql {

  private Sql() {}

  /** An identifier between backticks, any backtick in it doubled: {@code a`b} → {@code `a``b`}. */
  static String identifier(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /**
   * A multi-part name, each part an {@link #identifier}: {@code ("ip-test", "ip", "runs")} →
   * {@code `ip-test`.`ip`.`runs`}. A part is one name, whatever it holds: a dot inside it is not a
   * separator.
   */
  static String qualified(String... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("a qualified name needs at least one part");
    }
    return String.join(".", java.util.Arrays.stream(parts).map(Sql::identifier).toList());
  }
}
