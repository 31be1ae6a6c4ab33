package org.infoplane.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.infoplane.config.ConfResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resuming the maintenance benchmark: what it reads back from its lines, and what it refuses. */
class MaintenanceBenchmarkResumeTest {

  @TempDir Path dir;

  private static MaintenanceBenchmark.Series series(String mode) {
    return new MaintenanceBenchmark.Series(mode, new ConfResolver().resolve());
  }

  private Path lines(String... text) throws Exception {
    Path p = dir.resolve("results.jsonl");
    Files.write(p, List.of(text));
    return p;
  }

  @Test
  void readsBackEachModeAndResumesAfterThePairsBothFinished() throws Exception {
    Path p = lines(
        "{\"analysis\":1,\"mode\":\"maintenance on\",\"seconds\":9.5,\"cpu_seconds\":6.0,\"metadata_bytes\":100}",
        "{\"analysis\":1,\"mode\":\"maintenance off\",\"seconds\":8.5,\"cpu_seconds\":5.0,\"metadata_bytes\":90}",
        "{\"analysis\":2,\"mode\":\"maintenance on\",\"seconds\":7.0,\"cpu_seconds\":6.5}",
        "{\"analysis\":2,\"mode\":\"maintenance off\",\"seconds\":7.5,\"cpu_seconds\":5.5}",
        "{\"analysis\":3,\"mode\":\"maintenance on\",\"seconds\":7.25,\"cpu_seconds\":6.25}",
        "");
    var on = series("maintenance on");
    var off = series("maintenance off");
    // The stop fell between the two modes of the third pair: resume at index 2 (the third analysis).
    assertEquals(2, MaintenanceBenchmark.readBack(p, List.of(on, off), new ObjectMapper()));
    assertEquals(List.of(9.5, 7.0, 7.25), on.seconds);
    assertEquals(List.of(6.0, 6.5, 6.25), on.cpuSeconds);
    assertEquals(List.of(8.5, 7.5), off.seconds);
    assertEquals(1, on.metadata.size());
    assertEquals(100L, on.metadata.get(0)[1]);
    assertEquals(90L, off.metadata.get(0)[1]);
    // One mode alone reads only its lines.
    var offOnly = series("maintenance off");
    assertEquals(2, MaintenanceBenchmark.readBack(p, List.of(offOnly), new ObjectMapper()));
  }

  @Test
  void refusesLinesOutOfOrderMissingOrOfAnotherMode() throws Exception {
    Path gap = lines("{\"analysis\":1,\"mode\":\"maintenance off\",\"seconds\":1,\"cpu_seconds\":1}",
        "{\"analysis\":3,\"mode\":\"maintenance off\",\"seconds\":1,\"cpu_seconds\":1}");
    var e = assertThrows(IllegalArgumentException.class,
        () -> MaintenanceBenchmark.readBack(gap, List.of(series("maintenance off")), new ObjectMapper()));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("analysis 3"), e.getMessage());

    var none = assertThrows(IllegalArgumentException.class, () -> MaintenanceBenchmark.readBack(
        dir.resolve("absent.jsonl"), List.of(series("maintenance on")), new ObjectMapper()));
    assertTrue(none.getMessage().contains("absent.jsonl"), none.getMessage());

    Path offLines = lines("{\"analysis\":1,\"mode\":\"maintenance off\",\"seconds\":1,\"cpu_seconds\":1}");
    var other = assertThrows(IllegalArgumentException.class,
        () -> MaintenanceBenchmark.readBack(offLines, List.of(series("maintenance on")), new ObjectMapper()));
    assertTrue(other.getMessage().contains("no analysis"), other.getMessage());

    Path apart = lines("{\"analysis\":1,\"mode\":\"maintenance off\",\"seconds\":1,\"cpu_seconds\":1}",
        "{\"analysis\":2,\"mode\":\"maintenance off\",\"seconds\":1,\"cpu_seconds\":1}");
    var uneven = assertThrows(IllegalArgumentException.class, () -> MaintenanceBenchmark.readBack(apart,
        List.of(series("maintenance on"), series("maintenance off")), new ObjectMapper()));
    assertTrue(uneven.getMessage().contains("0 and 2"), uneven.getMessage());
  }

  @Test
  void findsTheOneWarehouseOfAMode() throws Exception {
    assertThrows(IllegalArgumentException.class,
        () -> MaintenanceBenchmark.existingWarehouse(dir, "warehouse-maint-off-"));
    Path w = Files.createDirectories(dir.resolve("warehouse-maint-off-17"));
    Files.createDirectories(dir.resolve("warehouse-maint-on-17"));
    assertEquals(w, MaintenanceBenchmark.existingWarehouse(dir, "warehouse-maint-off-"));
    Files.createDirectories(dir.resolve("warehouse-maint-off-18"));
    var two = assertThrows(IllegalArgumentException.class,
        () -> MaintenanceBenchmark.existingWarehouse(dir, "warehouse-maint-off-"));
    assertTrue(two.getMessage().contains("warehouse-maint-off-17") && two.getMessage().contains("-18"),
        two.getMessage());
    var missing = assertThrows(IllegalArgumentException.class,
        () -> MaintenanceBenchmark.existingWarehouse(dir.resolve("nope"), "warehouse-maint-off-"));
    assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
  }
}
