package org.infoplane.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.infoplane.config.ConfResolver;
import org.junit.jupiter.api.Test;

/**
 * The quoting of names and literals in SQL text ({@link Sql}, {@link IpTables#name}), checked
 * against Spark's own parser without a session: what is quoted parses back to the same parts.
 */
class SqlQuotingTest {

  /** The parts Spark's parser reads from a multi-part name. */
  private static List<String> parts(String name) {
    return scala.collection.JavaConverters.seqAsJavaList(
        CatalystSqlParser$.MODULE$.parseMultipartIdentifier(name));
  }

  @Test
  void aCatalogNameThatNeedsQuotingStaysOneName() {
    String ns = IpTables.namespace("ip-test", "ip");
    assertThat(ns).isEqualTo("`ip-test`.`ip`");
    assertThat(parts(ns)).containsExactly("ip-test", "ip");

    String table = Sql.qualified("ip-test", "ip", IpTables.RUNS);
    assertThat(table).isEqualTo("`ip-test`.`ip`.`runs`");
    assertThat(parts(table)).containsExactly("ip-test", "ip", "runs");
  }

  @Test
  void backticksAndDotsInsideAPartAreQuoted() {
    assertThat(Sql.identifier("a`b")).isEqualTo("`a``b`");
    String name = Sql.qualified("cat`alog", "name.space", "order");
    assertThat(name).isEqualTo("`cat``alog`.`name.space`.`order`");
    assertThat(parts(name)).containsExactly("cat`alog", "name.space", "order");
  }

  @Test
  void tableNamesOfTheConfiguredCatalogAreQuoted() {
    IpTables tables = new IpTables(null, new ConfResolver().pairs(List.of("infoplane.catalog.name=select",
        "infoplane.namespace=ip")).resolve());
    assertThat(tables.namespace()).isEqualTo("`select`.`ip`");
    assertThat(tables.name(IpTables.INFORMATION_PLANE)).isEqualTo("`select`.`ip`.`information_plane`");
    assertThat(parts(tables.name(IpTables.INFORMATION_PLANE))).containsExactly("select", "ip", "information_plane");
  }

  @Test
  void stringLiteralsParseBackToTheirValue() {
    for (String v : List.of("`ip-test`.`ip`.`runs`", "it's", "back\\slash", "both \\' at once", "")) {
      Literal parsed = (Literal) CatalystSqlParser$.MODULE$.parseExpression(Sql.string(v));
      assertThat(parsed.value().toString()).as(v).isEqualTo(v);
    }
  }
}
