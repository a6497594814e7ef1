// What mysql-setup.service runs once the server answers: the ensure* SQL as root over the unix
// socket, and each password set from its decrypted secret as a hash computed on the host.

export interface EnsureUser<S = unknown> {
  readonly name: string;
  readonly ensurePermissions: Readonly<Record<string, string>>;
  readonly passwordSecret: S | null;
}

// Names are limited to letters, digits, _ and - by their types, so quoting is enough.
const ident = (name: string) => `\`${name}\``;
const account = (name: string) => `'${name}'@'localhost'`;
/** "shop.*" → `shop`.*, "*.*" stays. */
const target = (on: string) =>
  on
    .split(".")
    .map((part) => (part === "*" ? part : ident(part)))
    .join(".");

/**
 * Idempotent SQL: create what is missing and grant what is listed (nothing is revoked). Every user
 * is 'name'@'localhost' and may log in as the OS user of its name (unix_socket); one with a
 * password gets it added by set-password.
 */
export function renderEnsureSql(databases: readonly string[], users: readonly EnsureUser[]): string {
  const out = ["-- Written by Roost from services.mysql.ensureDatabases and ensureUsers; run by mysql-setup.service."];
  for (const db of databases) out.push(`CREATE DATABASE IF NOT EXISTS ${ident(db)};`);
  for (const u of users) {
    out.push(`CREATE USER IF NOT EXISTS ${account(u.name)} IDENTIFIED VIA unix_socket;`);
    for (const [on, privileges] of Object.entries(u.ensurePermissions))
      out.push(`GRANT ${privileges} ON ${target(on)} TO ${account(u.name)};`);
  }
  return `${out.join("\n")}\n`;
}

/**
 * set-password USER FILE CLIENT [ARG…]: the plaintext is read from FILE and hashed here
 * (mysql_native_password: "*" and the hex of SHA1(SHA1(password))); only the hash reaches the
 * client, on its stdin. The user keeps unix_socket for its OS user of the same name.
 */
export const setPasswordScript = `#!/usr/bin/perl
use strict;
use warnings;
use Digest::SHA qw(sha1 sha1_hex);

my ($user, $file, @client) = @ARGV;
die "usage: set-password USER FILE CLIENT [ARG...]\\n" unless @client;
open(my $in, '<:raw', $file) or die "set-password: cannot read the password of user $user: $!\\n";
my $password = do { local $/; <$in> } // '';
close($in);
die "set-password: the password of user $user is empty\\n" if $password eq '';
my $hash = '*' . uc(sha1_hex(sha1($password)));
(my $name = $user) =~ s/'/''/g;
open(my $sql, '|-', @client) or die "set-password: cannot run $client[0]: $!\\n";
print $sql "ALTER USER '$name'\\@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING '$hash';\\n";
close($sql) or die "set-password: setting the password of user $user failed\\n";
`;

/** The setup script: waits for the server on its socket, then ensure.sql, then each password. */
export function renderSetupScript(p: { helperDir: string; passwordPrefix: string }): string {
  return `#!/bin/sh
# Written by Roost: MariaDB databases, users and passwords (services.mysql.ensure*).
set -eu
i=0
until /usr/bin/mariadb-admin --protocol=socket ping >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -ge 600 ]; then echo "MariaDB did not answer within 60 s" >&2; exit 1; fi
  sleep 0.1
done
set -- /usr/bin/mariadb --protocol=socket --batch
"$@" < ${p.helperDir}/ensure.sql
while read -r user; do
  /usr/bin/perl ${p.helperDir}/set-password "$user" "${p.passwordPrefix}$user" "$@"
done < ${p.helperDir}/passwords
`;
}
