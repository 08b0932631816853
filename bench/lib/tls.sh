# shellcheck shell=bash
# shellcheck disable=SC2034 # TLS_* are read by bench/run, bench/read and lib/tools.sh
# The TLS profiles' certificates: a certificate authority and a server certificate made with
# openssl for one run of bench/run (or bench/read), in $STATE_DIR/tls, removed at exit (a crashed
# run's copy by the next run). Every client trusts that CA the way its users would (bench/README.md,
# "loopback-tls and s3-wan-tls"): a PEM file for the native tools, the CRT and zarrfetch's
# AWS_CA_BUNDLE, a PKCS12 trust store (keytool) for javax.net.ssl.trustStore.
#
# The server certificate names what the clients connect to: IP 127.0.0.1 (loopback-tls), IP $SRV_IP
# (s3-wan-tls) and DNS localhost. Clients verify host names against it; none is told to skip that.

TLS_DIR=""                              # $STATE_DIR/tls once tls_make made it, with:
TLS_CA=""                               #   ca.pem, the CA certificate: --cacert, AWS_CA_BUNDLE, SSL_CERT_FILE
TLS_CERT=""                             #   server.pem and server.key (nginx ssl_certificate[_key])
TLS_KEY=""
TLS_TRUSTSTORE=""                       #   truststore.p12: the CA alone, for -Djavax.net.ssl.trustStore
TLS_TRUSTSTORE_PASSWORD=zfbench         # keytool wants one; the store holds only a public certificate
TLS_PORT=8443                           # s3-wan-tls: nginx inside the namespace
TLS_PROTOCOLS="TLSv1.2 TLSv1.3"         # nginx ssl_protocols; ciphers stay nginx's default
TLS_KEY_ALG=rsa:2048                    # as S3's certificates (RSA 2048)
TLS_JAVA_OPTS=""                        # the trust store as JVM options, once made

# is_tls_profile PROFILE -- loopback-tls, s3-wan-tls
is_tls_profile() { [[ $1 == *-tls ]]; }

# base_profile PROFILE -- the network profile under the protocol: loopback or s3-wan
base_profile() { echo "${1%-tls}"; }

# tls_make KEYTOOL -- a fresh CA and server certificate in $TLS_DIR; with KEYTOOL (a JDK's keytool,
# may be empty) also the PKCS12 trust store. Sets TLS_JAVA_OPTS and TLS_DESCRIPTION.
tls_make() {
  local keytool=$1 log
  TLS_DIR=$STATE_DIR/tls
  TLS_CA=$TLS_DIR/ca.pem
  TLS_CERT=$TLS_DIR/server.pem
  TLS_KEY=$TLS_DIR/server.key
  TLS_TRUSTSTORE=$TLS_DIR/truststore.p12
  rm -rf "$TLS_DIR"
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  log=$TLS_DIR/openssl.log
  # The CA: self-signed, allowed to sign server certificates only (pathlen 0).
  cat >"$TLS_DIR/ca.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
x509_extensions = ca_ext
[dn]
CN = zarrfetch bench/run CA $(date -u +%Y%m%dT%H%M%SZ)
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  cat >"$TLS_DIR/server.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = 127.0.0.1
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:$SRV_IP, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  {
    openssl req -x509 -new -newkey "$TLS_KEY_ALG" -nodes -days 7 -sha256 \
      -config "$TLS_DIR/ca.cnf" -keyout "$TLS_DIR/ca.key" -out "$TLS_CA" &&
      openssl req -new -newkey "$TLS_KEY_ALG" -nodes -config "$TLS_DIR/server.cnf" \
        -keyout "$TLS_KEY" -out "$TLS_DIR/server.csr" &&
      openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_CA" -CAkey "$TLS_DIR/ca.key" \
        -CAcreateserial -days 7 -sha256 -extfile "$TLS_DIR/server.cnf" -extensions server_ext \
        -out "$TLS_CERT" &&
      openssl verify -CAfile "$TLS_CA" "$TLS_CERT"
  } >"$log" 2>&1 || { cat "$log" >&2; die "could not make the TLS certificates (log above)"; }
  rm -f "$TLS_DIR/ca.key" "$TLS_DIR/server.csr"   # nothing signs anything after this
  # nginx workers run as root when we are root, else as us: both read the key
  chmod 644 "$TLS_CA" "$TLS_CERT"
  chmod 600 "$TLS_KEY"
  chmod 711 "$TLS_DIR"
  TLS_JAVA_OPTS=""
  if [[ -n $keytool ]]; then
    "$keytool" -importcert -noprompt -alias zfbench-ca -file "$TLS_CA" -keystore "$TLS_TRUSTSTORE" \
      -storetype PKCS12 -storepass "$TLS_TRUSTSTORE_PASSWORD" >>"$log" 2>&1 \
      || { cat "$log" >&2; die "$keytool could not make the PKCS12 trust store (log above)"; }
    chmod 644 "$TLS_TRUSTSTORE"
    TLS_JAVA_OPTS="-Djavax.net.ssl.trustStore=$TLS_TRUSTSTORE -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=$TLS_TRUSTSTORE_PASSWORD"
  fi
  TLS_DESCRIPTION="server certificate RSA 2048 (SHA-256) for IP 127.0.0.1, IP $SRV_IP and DNS localhost, signed by a CA made for this run (RSA 2048)"
  log "tls: $TLS_DESCRIPTION, in $TLS_DIR"
}

# tls_keytool -- a JDK's keytool: the peers' JDK 25, else one on PATH; empty if none
tls_keytool() {
  if [[ -x ${PEERS_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/keytool ]]; then
    echo "${PEERS_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/keytool"
  else
    command -v keytool 2>/dev/null || true
  fi
}

# tls_nginx_server -- the lines of nginx's server block that turn TLS on (TLS profiles only).
# The access log is the measurement's: one line per request with what was negotiated, read by
# measure.py (--server-log) to tell each tool's protocol, cipher, connections and resumptions.
# Without sendfile (nginx encrypts in user space) a response is read in output_buffers; 256k
# buffers keep limit_rate's pacing in the same 256 KB steps as sendfile_max_chunk on s3-wan.
tls_nginx_server() {
  local prefix=$1
  cat <<EOF
    ssl_certificate $TLS_CERT;
    ssl_certificate_key $TLS_KEY;
    ssl_protocols $TLS_PROTOCOLS;
    output_buffers 2 256k;
    access_log $prefix/logs/tls.log zfbtls;
EOF
}

# tls_nginx_http -- the log format of tls_nginx_server, for the http block
tls_nginx_http() {
  # shellcheck disable=SC2016 # nginx's variables, not the shell's
  echo 'log_format zfbtls "$ssl_protocol $ssl_cipher $ssl_session_reused $pid $connection $request_method $status $body_bytes_sent";'
}

tls_cleanup() {
  [[ -z $TLS_DIR ]] || rm -rf "$TLS_DIR"
}
