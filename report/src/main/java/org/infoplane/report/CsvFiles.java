package org.infoplane.report;

import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Row;

/**
 * The rows behind a report's figures and tables as CSV files beside them: a header row, then one
 * line per row; RFC 4180 quoting by Univocity (the CSV library Spark itself reads and writes with).
 * Values: doubles in Java's shortest round-trip form ({@code NaN}, {@code Infinity} as such), null
 * as an empty field, arrays as their elements joined by {@code ;}, timestamps in ISO form.
 */
final class CsvFiles {

  private CsvFiles() {}

  /** Writes {@code rows} to {@code file} (replacing it). */
  static void write(Path file, Html.Rows rows) {
    CsvWriterSettings settings = new CsvWriterSettings();
    settings.getFormat().setLineSeparator("\n");
    settings.setQuoteEscapingEnabled(true);
    settings.setNullValue("");
    settings.setEmptyValue("\"\"");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      CsvWriter csv = new CsvWriter(out, settings);
      csv.writeHeaders(rows.columns().toArray(new String[0]));
      for (Row r : rows.rows()) {
        Object[] values = new Object[r.length()];
        for (int i = 0; i < r.length(); i++) {
          values[i] = value(r.get(i));
        }
        csv.writeRow(values);
      }
      csv.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static String value(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      return seq.mkString(";");
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toInstant().toString();
    }
    return String.valueOf(v);
  }
}
