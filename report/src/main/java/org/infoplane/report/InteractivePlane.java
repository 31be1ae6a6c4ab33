package org.infoplane.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The report page's interactive information plane: the points of {@code plane.csv} as JSON inside the
 * page and the script that draws them as SVG ({@code plane.js}, written for this project and inlined,
 * so that the page works opened from disk without a network). Hovering a point shows its run, layer,
 * split, epoch, step, σ and both bootstrap intervals; check boxes show and hide layers, splits and runs.
 */
final class InteractivePlane {

  private static final ObjectMapper JSON = new ObjectMapper();

  private InteractivePlane() {}

  /** Appends the section; {@code plane} has the columns of {@code plane.csv}. */
  static void append(StringBuilder html, Html.Rows plane) {
    List<Map<String, Object>> points = new ArrayList<>();
    List<String> cols = plane.columns();
    for (Row r : plane.rows()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("run", r.get(cols.indexOf("run_id")));
      p.put("split", r.get(cols.indexOf("split")));
      p.put("epoch", r.get(cols.indexOf("epoch")));
      p.put("step", r.get(cols.indexOf("step")));
      p.put("li", r.get(cols.indexOf("layer_index")));
      p.put("layer", r.get(cols.indexOf("layer_name")));
      for (String[] k : new String[][] {{"x", "i_xt"}, {"xl", "i_xt_ci_low"}, {"xh", "i_xt_ci_high"},
          {"y", "i_ty"}, {"yl", "i_ty_ci_low"}, {"yh", "i_ty_ci_high"}, {"sigma", "sigma"}}) {
        p.put(k[0], finite(r.get(cols.indexOf(k[1]))));
      }
      points.add(p);
    }
    String json;
    try {
      json = JSON.writeValueAsString(Map.of("points", points));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the plane's points as JSON", e);
    }
    html.append("<h2>Interactive information plane</h2>\n<p>I(T;Y) against I(X;T) in bits, every point of the"
        + " file plane.csv. Hover a point for its run, layer, checkpoint, σ and 95 % bootstrap intervals; the boxes"
        + " show and hide layers, splits and runs. Filled points: train split; open: the others.</p>\n"
        + "<div id=\"plane\" class=\"plane-interactive\"></div>\n<script type=\"application/json\" id=\"plane-data\">")
        // inside <script> only "</" could end the element early
        .append(json.replace("</", "<\\/")).append("</script>\n<script>\n").append(script()).append("</script>\n");
  }

  private static Object finite(Object v) {
    return v instanceof Double d && !Double.isFinite(d) ? null : v;
  }

  private static String script() {
    try (InputStream in = InteractivePlane.class.getResourceAsStream("plane.js")) {
      if (in == null) {
        throw new IllegalStateException("plane.js is missing from the jar (org/infoplane/report/plane.js)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read plane.js", e);
    }
  }
}
