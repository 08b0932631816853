package io.zarrfetch.spark;

import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Optional: {@code spark.plugins=io.zarrfetch.spark.ZarrPlugin} closes the zarr engines (connections, buffers) of
 * an executor when it stops, also where the executor lives in a JVM that goes on (local mode). Without it they
 * close when the executor's JVM exits.
 */
public final class ZarrPlugin implements SparkPlugin {
    @Override
    public DriverPlugin driverPlugin() {
        return null;
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            @Override
            public void shutdown() {
                Engines.closeAll();
            }
        };
    }
}
