package org.infoplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.infoplane.cli.ImportCommandTest.Result;
import org.infoplane.config.ConfResolver;
import org.infoplane.config.ResolvedConf;
import org.infoplane.spark.Sessions;
import org.infoplane.warehouse.IpTables;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code infoplane sql}: csv and json write every row unless {@code --limit} is given; the table
 * says when it shows only the first rows; nested values (arrays, structs, maps) are JSON everywhere.
 */
class SqlCommandTest {

  @TempDir static Path dir;

  /** 1,500 rows: more than the table's default of 1,000; each with an array, a struct and a map. */
  private static final String QUERY = "SELECT id, array(id, id + 1) AS a, named_struct('x', id, 's', 'q\"t, u')"
      + " AS st, map('k', array(1.5D, CAST('NaN' AS DOUBLE))) AS m, CAST(NULL AS ARRAY<INT>) AS none"
      + " FROM range(1500) ORDER BY id";

  @BeforeAll
  static void warehouse() {
    ResolvedConf conf = new ConfResolver().pairs(List.of("infoplane.warehouse=" + dir.resolve("warehouse"),
        "infoplane.local.master=local[1]")).resolve();
    SparkSession spark = Sessions.create(conf, "SqlCommandTest");
    try {
      new IpTables(spark, conf).createAll();
    } finally {
      spark.stop();
    }
  }

  private static Result sql(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "sql";
    all[1] = "--warehouse";
    all[2] = dir.resolve("warehouse").toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return ImportCommandTest.run(all);
  }

  @Test
  void csvWritesEveryRowWithNestedValuesAsJson() {
    Result r = sql("--format", "csv", QUERY);
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().strip().lines().toList();
    assertThat(lines).hasSize(1 + 1500);
    assertThat(lines.get(0)).isEqualTo("id,a,st,m,none");
    assertThat(lines.get(1)).isEqualTo("0,\"[0,1]\",\"{\"\"x\"\":0,\"\"s\"\":\"\"q\\\"\"t, u\"\"}\","
        + "\"{\"\"k\"\":[1.5,\"\"NaN\"\"]}\",");
    assertThat(lines.get(1500)).startsWith("1499,\"[1499,1500]\",");

    Result limited = sql("--format", "csv", "--limit", "7", QUERY);
    assertThat(limited.out().strip().lines()).hasSize(1 + 7);
  }

  @Test
  void jsonWritesEveryRowWithNestedValuesAsJson() throws Exception {
    Result r = sql("--format", "json", QUERY);
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode rows = new ObjectMapper().readTree(r.out());
    assertThat(rows.size()).isEqualTo(1500);
    assertThat(rows.get(0).toString()).isEqualTo("{\"id\":0,\"a\":[0,1],\"st\":{\"x\":0,\"s\":\"q\\\"t, u\"},"
        + "\"m\":{\"k\":[1.5,\"NaN\"]},\"none\":null}");
    assertThat(rows.get(1499).get("id").asLong()).isEqualTo(1499);

    Result limited = sql("--format", "json", "--limit", "3", QUERY);
    assertThat(new ObjectMapper().readTree(limited.out()).size()).isEqualTo(3);
  }

  @Test
  void theTableSaysWhenItShowsOnlyTheFirstRows() {
    Result r = sql(QUERY);
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().strip().lines().toList();
    assertThat(lines.get(2)).startsWith("0  ").contains("  [0,1]  ", "  {\"x\":0,\"s\":\"q\\\"t, u\"}  ",
        "  {\"k\":[1.5,\"NaN\"]}  ").endsWith("  NULL");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("(the first 1000 rows; more follow: give --limit N to see N,"
        + " or --format csv|json for all)");

    Result all = sql("--limit", "2000", QUERY);
    assertThat(all.out().strip().lines().toList()).last().isEqualTo("(1500 rows)");

    Result bad = sql("--limit", "-1", QUERY);
    assertThat(bad.code()).isEqualTo(InfoPlaneCli.EXIT_BAD_INPUT);
    assertThat(bad.err().strip()).isEqualTo("infoplane sql: --limit must be >= 0, got -1");
  }
}
