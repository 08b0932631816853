package io.zarrfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which store and key a URL names, and the URLs requests then go to. No network. */
class StoresTest {
    final Stores stores = new Stores(StoreOptions.defaults().withEndpoint(null).withRegion("us-east-1")
            .withAnonymous(true));

    @AfterEach
    void close() {
        stores.close();
    }

    /** The store a location is in, under the retries every store of a Stores has. */
    static Store backend(Stores.Location l) {
        assertThat(l.store()).isInstanceOf(RetryingStore.class);
        return ((RetryingStore) l.store()).store();
    }

    static S3Store s3(Stores.Location l) {
        assertThat(backend(l)).isInstanceOf(S3Store.class);
        return (S3Store) backend(l);
    }

    @Test
    void s3UrlsAddressAwsVirtualHosted() {
        Stores.Location l = stores.locate("s3://mur-sst/zarr-v1/analysed_sst/0.1.0");
        S3Store s = s3(l);
        assertThat(l.key()).isEqualTo("zarr-v1/analysed_sst/0.1.0");
        assertThat(s.objectUri(l.key())).isEqualTo(
                URI.create("https://mur-sst.s3.us-east-1.amazonaws.com/zarr-v1/analysed_sst/0.1.0"));
        assertThat(s.objectUri("a b+c%/日")).hasToString(
                "https://mur-sst.s3.us-east-1.amazonaws.com/a%20b%2Bc%25/%E6%97%A5");
    }

    @Test
    void awsHttpsUrlsAreS3InTheirRegion() {
        Stores.Location virtual = stores.locate("https://mur-sst.s3.us-west-2.amazonaws.com/zarr-v1/a%20b");
        assertThat(s3(virtual).bucket()).isEqualTo("mur-sst");
        assertThat(s3(virtual).region()).isEqualTo("us-west-2");
        assertThat(virtual.key()).isEqualTo("zarr-v1/a b");

        Stores.Location dash = stores.locate("https://bkt.s3-eu-west-1.amazonaws.com/k");
        assertThat(s3(dash).region()).isEqualTo("eu-west-1");

        Stores.Location global = stores.locate("https://bkt.s3.amazonaws.com/k");
        assertThat(s3(global).region()).isEqualTo("us-east-1");

        Stores.Location path = stores.locate("https://s3.ap-south-1.amazonaws.com/bkt/dir/key");
        assertThat(s3(path).bucket()).isEqualTo("bkt");
        assertThat(s3(path).region()).isEqualTo("ap-south-1");
        assertThat(path.key()).isEqualTo("dir/key");
    }

    @Test
    void dottedBucketsGoPathStyleOnAws() {
        S3Store s = s3(stores.locate("s3://my.dotted.bucket/k"));
        assertThat(s.objectUri("k")).hasToString("https://s3.us-east-1.amazonaws.com/my.dotted.bucket/k");
    }

    @Test
    void anEndpointMeansPathStyleAndItsUrlsAreS3() {
        try (Stores local = new Stores(StoreOptions.defaults().withAnonymous(true)
                .withEndpoint(URI.create("http://127.0.0.1:9000")))) {
            Stores.Location l = local.locate("s3://bkt/dir/k");
            assertThat(s3(l).objectUri(l.key())).hasToString("http://127.0.0.1:9000/bkt/dir/k");
            Stores.Location same = local.locate("http://127.0.0.1:9000/bkt/dir/k");
            assertThat(same.store()).isSameAs(l.store());
            assertThat(same.key()).isEqualTo("dir/k");
            assertThat(backend(local.locate("http://127.0.0.1:9001/bkt/dir/k"))).isInstanceOf(HttpStore.class);
        }
    }

    @Test
    void plainHttpUrlsKeepTheirPathAndQuery() {
        Stores.Location l = stores.locate("http://example.org:8080/data/a%20b.bin?x=1");
        assertThat(backend(l)).isInstanceOf(HttpStore.class);
        assertThat(l.key()).isEqualTo("data/a%20b.bin?x=1");
        assertThat(new Source("u", l.store(), l.key(), ObjectInfo.of(l.key())).name(ObjectInfo.of(l.key())))
                .isEqualTo("a b.bin");
    }

    @Test
    void pathsAndFileUrlsAreLocalFolders(@TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("f.txt"), "x");
        Stores.Location folder = stores.locate(dir.toString());
        assertThat(backend(folder)).isInstanceOf(FileStore.class);
        assertThat(folder.key()).isEmpty();
        Stores.Location file = stores.locate(dir.resolve("f.txt").toUri().toString());
        assertThat(file.key()).isEqualTo("f.txt");
        assertThat(stores.resolve(dir.resolve("f.txt").toString()).object().size()).isEqualTo(1);
    }

    @Test
    void chinaRegionsHaveTheirOwnDomain() {
        Stores.Location l = stores.locate("https://bkt.s3.cn-north-1.amazonaws.com.cn/a/b");
        assertThat(s3(l).region()).isEqualTo("cn-north-1");
        assertThat(s3(l).objectUri(l.key())).hasToString("https://bkt.s3.cn-north-1.amazonaws.com.cn/a/b");
        Stores.Location path = stores.locate("https://s3.cn-northwest-1.amazonaws.com.cn/bkt/k");
        assertThat(s3(path).objectUri(path.key())).hasToString("https://bkt.s3.cn-northwest-1.amazonaws.com.cn/k");
        try (Stores china = new Stores(StoreOptions.builtIn().withRegion("cn-north-1").withAnonymous(true))) {
            Stores.Location s = china.locate("s3://bkt/k");
            assertThat(s3(s).objectUri("k")).hasToString("https://bkt.s3.cn-north-1.amazonaws.com.cn/k");
        }
    }

    @Test
    void accelerateUrlsGoToTheAccelerateHost() {
        Stores.Location l = stores.locate("https://bkt.s3-accelerate.amazonaws.com/dir/k");
        assertThat(s3(l).bucket()).isEqualTo("bkt");
        assertThat(l.key()).isEqualTo("dir/k");
        assertThat(s3(l).objectUri(l.key())).hasToString("https://bkt.s3-accelerate.amazonaws.com/dir/k");
        Stores.Location dual = stores.locate("https://bkt.s3-accelerate.dualstack.amazonaws.com/k");
        assertThat(s3(dual).objectUri("k")).hasToString("https://bkt.s3-accelerate.dualstack.amazonaws.com/k");
    }

    @Test
    void awsUrlsThatSayHttpOrAPortGoWhereTheySay() {
        Stores.Location l = stores.locate("http://bkt.s3.eu-west-1.amazonaws.com:8080/k");
        assertThat(s3(l).region()).isEqualTo("eu-west-1");
        assertThat(s3(l).objectUri("k")).hasToString("http://bkt.s3.eu-west-1.amazonaws.com:8080/k");
        Stores.Location path = stores.locate("http://s3.eu-west-1.amazonaws.com/bkt/k");
        assertThat(s3(path).objectUri("k")).hasToString("http://s3.eu-west-1.amazonaws.com/bkt/k");
    }

    @Test
    void theAddressingStyleDecidesWhereTheBucketGoes() {
        URI endpoint = URI.create("http://s3.test:9000");
        try (Stores virtual = new Stores(StoreOptions.builtIn().withEndpoint(endpoint)
                .withAddressingStyle(AddressingStyle.VIRTUAL));
                Stores path = new Stores(StoreOptions.builtIn().withAddressingStyle(AddressingStyle.PATH)
                        .withRegion("eu-west-1"));
                Stores awsVirtual = new Stores(StoreOptions.builtIn().withAddressingStyle(AddressingStyle.VIRTUAL))) {
            assertThat(s3(virtual.locate("s3://bkt/k")).objectUri("k")).hasToString("http://bkt.s3.test:9000/k");
            Stores.Location byHost = virtual.locate("http://bkt.s3.test:9000/dir/k");
            assertThat(s3(byHost).bucket()).isEqualTo("bkt");
            assertThat(byHost.key()).isEqualTo("dir/k");
            assertThat(backend(virtual.locate("http://bkt.s3.test:9001/k"))).isInstanceOf(HttpStore.class);
            assertThat(s3(path.locate("s3://bkt/k")).objectUri("k"))
                    .hasToString("https://s3.eu-west-1.amazonaws.com/bkt/k");
            assertThat(s3(awsVirtual.locate("s3://my.dotted/k")).objectUri("k"))
                    .hasToString("https://my.dotted.s3.us-east-1.amazonaws.com/k");
        }
    }

    @Test
    void refusesWhatNamesNoStore() {
        assertThatThrownBy(() -> stores.locate("ftp://host/x")).hasMessageContaining("unsupported URL scheme");
        assertThatThrownBy(() -> stores.locate("s3://Bad_Bucket!/x")).hasMessageContaining("not a valid S3 bucket");
        assertThatThrownBy(() -> stores.locate("https://s3.us-east-1.amazonaws.com/")).hasMessageContaining(
                "names no bucket");
        assertThatThrownBy(() -> stores.locate("s3://")).hasMessage("no bucket in \"s3://\": write s3://BUCKET/KEY "
                + "or s3://BUCKET/PREFIX/");
        assertThatThrownBy(() -> stores.locate("s3:///k")).hasMessageContaining("no bucket in");
    }
}
