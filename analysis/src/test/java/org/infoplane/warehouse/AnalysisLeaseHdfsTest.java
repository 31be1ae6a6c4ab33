package org.infoplane.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis lease on HDFS (a MiniDFSCluster: NameNode and one DataNode on 127.0.0.1): a lease file
 * that another client has created but not yet closed is held, not an error; analyses that start at
 * the same moment, each with its own HDFS client, hold the lease one after the other.
 */
class AnalysisLeaseHdfsTest {

  @TempDir static Path dir;
  static MiniDFSCluster hdfs;
  static String uri;
  static Configuration conf;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration c = new Configuration();
    c.setInt("dfs.replication", 1);
    hdfs = new MiniDFSCluster.Builder(c, dir.resolve("hdfs").toFile()).nameNodePort(0).numDataNodes(1).build();
    hdfs.waitActive();
    uri = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
    conf = new Configuration(hdfs.getConfiguration(0));
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  /** Another process's HDFS client: its own DFSClient, hence its own HDFS write lease. */
  private static Configuration otherProcess() {
    Configuration c = new Configuration(conf);
    c.setBoolean("fs.hdfs.impl.disable.cache", true);
    return c;
  }

  @Test
  void aLeaseFileAnotherClientIsStillWritingIsHeldNotAnError() throws Exception {
    String wh = uri + "/wh-open";
    String archive = uri + "/archive";
    org.apache.hadoop.fs.Path file = AnalysisLease.leaseFile(wh, archive);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try (FileSystem other = FileSystem.newInstance(URI.create(uri), conf)) {
      OutputStream open = other.create(file, false); // created, not closed: the NameNode's lease is the other's
      Future<AnalysisLease> waiting = ex.submit(() -> AnalysisLease.acquire(wh, archive, otherProcess()));
      Thread.sleep(3 * AnalysisLease.POLL.toMillis() / 2);
      assertThat(waiting.isDone()).as("acquire waits (and has not failed)").isFalse();
      open.close();
      other.delete(file, false);
      AnalysisLease lease = waiting.get(30, TimeUnit.SECONDS);
      assertThat(other.exists(file)).as("the lease file, now ours").isTrue();
      lease.close();
      assertThat(other.exists(file)).as("released").isFalse();
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void analysesStartingAtTheSameMomentHoldTheLeaseOneAfterTheOther() throws Exception {
    String wh = uri + "/wh-race";
    String archive = uri + "/archive";
    assertThat(LeaseRace.mostHoldersAtOnce(3, () -> AnalysisLease.acquire(wh, archive, otherProcess())))
        .as("holders at once").isEqualTo(1);
    assertThat(AnalysisLease.leaseFile(wh, archive).getFileSystem(conf).exists(AnalysisLease.leaseFile(wh, archive)))
        .as("released by the last").isFalse();
  }
}
