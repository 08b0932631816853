package io.zarrfetch.store;

/**
 * How an S3 bucket is named in request URLs, as the AWS CLI's {@code s3.addressing_style} setting says.
 */
public enum AddressingStyle {
    /**
     * Virtual-hosted on AWS ({@code https://bucket.s3.region.amazonaws.com/key}), except for bucket names with dots
     * (whose names break TLS there: path-style); path-style on an S3-compatible endpoint
     * ({@code http://host:port/bucket/key}).
     */
    AUTO,
    /** Always path-style: the bucket is the first segment of the path. */
    PATH,
    /** Always virtual-hosted: the bucket is the first label of the host name, on an endpoint too. */
    VIRTUAL
}
