package org.infoplane.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's CSV files: RFC 4180 quoting, exact doubles, null as an empty field, arrays joined by ';'. */
class CsvFilesTest {

  @TempDir Path dir;

  @Test
  void quotesWhatNeedsQuotingAndKeepsEveryDoubleExactly() throws Exception {
    double third = 1.0 / 3;
    Html.Rows rows = new Html.Rows(List.of("name", "value", "note", "batches"), List.of(
        RowFactory.create("conv1", third, null,
            scala.collection.JavaConverters.asScalaBufferConverter(List.of(0.5, 1.25)).asScala()),
        RowFactory.create("a, \"b\"\nc", Double.NaN, "", null)));
    Path file = dir.resolve("t.csv");
    CsvFiles.write(file, rows);

    assertThat(Files.readString(file)).isEqualTo("name,value,note,batches\n"
        + "conv1,0.3333333333333333,,0.5;1.25\n"
        + "\"a, \"\"b\"\"\nc\",NaN,\"\",\n");
    CsvParserSettings settings = new CsvParserSettings();
    settings.setHeaderExtractionEnabled(true);
    List<String[]> back = new CsvParser(settings).parseAll(file.toFile());
    assertThat(back).hasSize(2);
    assertThat(Double.parseDouble(back.get(0)[1])).isEqualTo(third);
    assertThat(back.get(0)[2]).isNull();
    assertThat(back.get(1)[0]).isEqualTo("a, \"b\"\nc");
  }
}
