// The two programs the acme units run, shipped as files with no values in them: every value is an
// argument of the unit's command line.

export const placeholderCertPath = "/usr/local/lib/acme/placeholder-cert";
export const installCertPath = "/usr/local/lib/acme/install-cert";

export const placeholderCert = `#!/bin/sh
# placeholder-cert DIR GROUP NAME: a self-signed certificate for NAME at DIR/fullchain.pem and
# DIR/key.pem when DIR has none, so that a server that reads them starts before the real one exists.
set -eu
dir=$1 group=$2 name=$3
if [ -s "$dir/fullchain.pem" ] && [ -s "$dir/key.pem" ]; then exit 0; fi
install -d -m 0750 -g "$group" -- "$dir"
tmp=$(mktemp -d "$dir/.placeholder.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \\
  -subj "/CN=$name" -addext "subjectAltName=DNS:$name" -keyout "$tmp/key.pem" -out "$tmp/fullchain.pem" 2>/dev/null
chgrp -- "$group" "$tmp/key.pem" "$tmp/fullchain.pem"
chmod 0640 "$tmp/key.pem"
chmod 0644 "$tmp/fullchain.pem"
mv -f -- "$tmp/key.pem" "$dir/key.pem"
mv -f -- "$tmp/fullchain.pem" "$dir/fullchain.pem"
`;

export const installCert = `#!/bin/sh
# install-cert LINEAGE DIR GROUP [SERVICE...]: the certificate and key of certbot's LINEAGE to
# DIR/{fullchain,chain,cert,key}.pem, each renamed into place, then a reload (never a restart) of each SERVICE that runs.
# Nothing happens when DIR already holds them: certbot's deploy hook and the unit both call it.
set -eu
lineage=$1 dir=$2 group=$3
shift 3
if cmp -s -- "$lineage/fullchain.pem" "$dir/fullchain.pem" && cmp -s -- "$lineage/privkey.pem" "$dir/key.pem"; then exit 0; fi
install -d -m 0750 -g "$group" -- "$dir"
install -m 0640 -g "$group" -- "$lineage/privkey.pem" "$dir/.key.pem.new"
for f in cert chain fullchain; do install -m 0644 -g "$group" -- "$lineage/$f.pem" "$dir/.$f.pem.new"; done
mv -f -- "$dir/.key.pem.new" "$dir/key.pem"
for f in cert chain fullchain; do mv -f -- "$dir/.$f.pem.new" "$dir/$f.pem"; done
echo "installed the certificate of $lineage in $dir"
for service in "$@"; do
  if systemctl is-active --quiet -- "$service"; then systemctl reload -- "$service"; fi
done
`;
