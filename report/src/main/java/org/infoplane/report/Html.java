package org.infoplane.report;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;

/** The few HTML pieces of a report page. */
final class Html {

  record Rows(List<String> columns, List<Row> rows) {}

  private Html() {}

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static void head(StringBuilder b, String title) {
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
        .append("</title>\n<style>\n"
            + "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1400px;padding:0 1em;color:#222}\n"
            + "img{max-width:100%;border:1px solid #ddd}\nfigure{margin:1em 0}\nfigcaption{font-size:90%;color:#555}\n"
            + "table{border-collapse:collapse;font-size:85%;margin:.5em 0 1.5em}\n"
            + "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}\n"
            + "th{background:#f3f3f3}\n.scroll{overflow-x:auto;max-height:40em}\n"
            + ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:1em}\n"
            + "</style></head><body>\n");
  }

  static void table(StringBuilder b, String caption, Rows rows) {
    b.append("<h2>").append(esc(caption)).append("</h2>\n");
    if (rows.rows().isEmpty()) {
      b.append("<p>(no rows)</p>\n");
      return;
    }
    b.append("<div class=\"scroll\"><table><tr>");
    rows.columns().forEach(c -> b.append("<th>").append(esc(c)).append("</th>"));
    b.append("</tr>\n");
    for (Row r : rows.rows()) {
      b.append("<tr>");
      for (int i = 0; i < r.length(); i++) {
        Object v = r.get(i);
        String s = v == null ? "NULL" : v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d)
            : v instanceof scala.collection.Seq<?> seq ? seq.mkString(", ") : String.valueOf(v);
        b.append("<td>").append(esc(s)).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table></div>\n");
  }
}
