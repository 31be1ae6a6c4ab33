package org.infoplane.config;

import java.io.Serializable;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting: its key, documentation, type, default and check, declared once in {@link
 * InfoPlaneConf}. Parsing a raw string either returns a checked value or throws an {@link
 * IllegalArgumentException} that names the key and the bad value.
 *
 * @param <T> the value type
 */
public final class ConfigEntry<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String doc;
  private final String type;
  private final String defaultValue;
  private final SerializableFunction<String, T> parser;
  private final SerializablePredicate<T> check;
  private final String checkDoc;

  interface SerializableFunction<A, B> extends Function<A, B>, Serializable {}

  interface SerializablePredicate<A> extends Predicate<A>, Serializable {}

  ConfigEntry(String key, String doc, String type, String defaultValue,
      SerializableFunction<String, T> parser, SerializablePredicate<T> check, String checkDoc) {
    this.key = Objects.requireNonNull(key);
    this.doc = Objects.requireNonNull(doc);
    this.type = Objects.requireNonNull(type);
    this.defaultValue = Objects.requireNonNull(defaultValue);
    this.parser = Objects.requireNonNull(parser);
    this.check = Objects.requireNonNull(check);
    this.checkDoc = checkDoc;
    parse(defaultValue); // a default that fails its own check is a programming error
  }

  public String key() {
    return key;
  }

  public String doc() {
    return doc;
  }

  /** The type's name in the documentation, e.g. {@code double}. */
  public String type() {
    return type;
  }

  /** The default as the string it is parsed from. */
  public String defaultValue() {
    return defaultValue;
  }

  /** What the check requires, for the documentation and messages; may be empty. */
  public String checkDoc() {
    return checkDoc == null ? "" : checkDoc;
  }

  /**
   * Parses and checks a raw value.
   *
   * @throws IllegalArgumentException naming the key, the value and what was expected
   */
  public T parse(String raw) {
    T v;
    try {
      v = parser.apply(raw == null ? "" : raw.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": cannot read '" + raw + "' as " + type
          + (e.getMessage() == null || e instanceof NumberFormatException ? "" : " (" + e.getMessage() + ")"), e);
    }
    if (!check.test(v)) {
      throw new IllegalArgumentException(key + ": " + checkDoc() + ", got '" + raw + "'");
    }
    return v;
  }

  @Override
  public String toString() {
    return key;
  }
}
