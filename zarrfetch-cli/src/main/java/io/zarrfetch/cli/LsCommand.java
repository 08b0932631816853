package io.zarrfetch.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;

import io.zarrfetch.store.KeyPaths;
import io.zarrfetch.store.ObjectInfo;
import io.zarrfetch.store.Source;
import io.zarrfetch.store.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ls", mixinStandardHelpOptions = true, versionProvider = Version.class, usageHelpWidth = 110,
        description = {
        "Lists the objects under a prefix URL (or the one object a URL names): size and key, one a line.",
        "Listings stream: the first lines come before a large listing ends."},
        footer = {"", "Examples:", "  zarrfetch ls --no-sign-request s3://mur-sst/zarr-v1/analysed_sst/",
                "  zarrfetch ls --json --endpoint http://127.0.0.1:9000 s3://bucket/prefix/",
                "  zarrfetch ls ./data/"})
final class LsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Flags.Store store;

    @Mixin
    Flags.Output output;

    @Parameters(paramLabel = "URL", description = "s3://bucket/prefix, an S3 https:// URL, a folder or a file.")
    String url;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long objects = 0;
        long bytes = 0;
        Source source;
        try (Stores stores = new Stores(store.options(8))) {
            source = Fetching.resolve(spec, stores, List.of(url)).getFirst();
            Iterator<ObjectInfo> it = source.objects().iterator();
            try {
                while (it.hasNext()) {
                    ObjectInfo o = it.next();
                    if (!o.sizeKnown()) {
                        o = source.store().head(o.key());
                    }
                    objects++;
                    bytes += Math.max(0, o.size());
                    if (output.json) {
                        out.println(new Json().put("key", o.key()).put("size", o.size()).put("etag", o.etag())
                                .put("url", source.store().url(o.key())));
                    } else {
                        out.printf("%14d  %s%n", o.size(), KeyPaths.escaped(o.key()));
                    }
                }
            } catch (UncheckedIOException e) {
                out.flush();
                throw e.getCause();
            }
        }
        out.flush();
        if (objects == 0 && source.isPrefix() && !source.prefix().isEmpty()) {
            // as the AWS CLI: a key or prefix that names nothing is an error (an empty bucket or folder is not)
            spec.commandLine().getErr().println("zarrfetch: error: " + KeyPaths.escaped(url) + ": "
                    + (Fetching.namesKey(source) ? "no such object, and no objects under " + source.prefix()
                            : "no objects under this prefix"));
            return 1;
        }
        if (!output.quiet && !output.json) {
            spec.commandLine().getErr().printf("%d objects, %s (%d bytes)%n", objects, Sizes.format(bytes), bytes);
        }
        return 0;
    }
}
