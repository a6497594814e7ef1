// What postgresql-setup.service runs once the server answers: the ensure* SQL, and each password
// set from its decrypted secret file as a SCRAM verifier computed on the host.

export interface EnsureUser<S = unknown> {
  readonly name: string;
  readonly ensureDBOwnership: boolean;
  readonly passwordSecret: S | null;
  readonly ensureClauses: Readonly<Record<string, boolean | null>>;
}

/**
 * One entry per role: several modules may list the same role (an app and the host's own config).
 * Ownership is asked if any entry asks; a password or clause set by two entries must agree.
 */
export function mergeEnsureUsers<S>(users: readonly EnsureUser<S>[]): { users: EnsureUser<S>[]; conflicts: string[] } {
  const byName = new Map<string, EnsureUser<S>>();
  const conflicts: string[] = [];
  for (const u of users) {
    const seen = byName.get(u.name);
    if (!seen) {
      byName.set(u.name, u);
      continue;
    }
    const same = (a: unknown, b: unknown) => a === null || b === null || JSON.stringify(a) === JSON.stringify(b);
    if (!same(seen.passwordSecret, u.passwordSecret)) conflicts.push(`role "${u.name}" is listed with two different passwordSecret values`);
    const clauses = { ...seen.ensureClauses };
    for (const [k, v] of Object.entries(u.ensureClauses)) {
      if (!same(clauses[k] ?? null, v)) conflicts.push(`role "${u.name}" is listed with ensureClauses.${k} both true and false`);
      if (v !== null) clauses[k] = v;
    }
    byName.set(u.name, {
      name: u.name,
      ensureDBOwnership: seen.ensureDBOwnership || u.ensureDBOwnership,
      passwordSecret: seen.passwordSecret ?? u.passwordSecret,
      ensureClauses: clauses,
    });
  }
  return { users: [...byName.values()], conflicts };
}

const clauseWords: Readonly<Record<string, [string, string]>> = {
  superuser: ["SUPERUSER", "NOSUPERUSER"],
  createrole: ["CREATEROLE", "NOCREATEROLE"],
  createdb: ["CREATEDB", "NOCREATEDB"],
  login: ["LOGIN", "NOLOGIN"],
  replication: ["REPLICATION", "NOREPLICATION"],
  bypassrls: ["BYPASSRLS", "NOBYPASSRLS"],
};

// Names are limited to letters, digits, _ and - by their type, so quoting is enough.
const ident = (name: string) => `"${name}"`;
const literal = (name: string) => `'${name}'`;

/** Idempotent SQL for psql: create what is missing, then set clauses and owners. */
export function renderEnsureSql(databases: readonly string[], users: readonly EnsureUser[]): string {
  const out = ["-- Written by Roost from services.postgresql.ensureDatabases and ensureUsers; run by postgresql-setup.service."];
  for (const db of databases)
    out.push(`SELECT 'CREATE DATABASE ${ident(db)}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(db)})\\gexec`);
  for (const u of users) {
    out.push(
      `SELECT 'CREATE ROLE ${ident(u.name)} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(u.name)})\\gexec`,
    );
    const clauses = Object.entries(u.ensureClauses)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => clauseWords[k]![v ? 0 : 1]);
    if (clauses.length) out.push(`ALTER ROLE ${ident(u.name)} WITH ${clauses.join(" ")};`);
    if (u.ensureDBOwnership) out.push(`ALTER DATABASE ${ident(u.name)} OWNER TO ${ident(u.name)};`);
  }
  return `${out.join("\n")}\n`;
}

/**
 * set-password ROLE FILE PSQL [ARG…]: the plaintext is read from FILE and hashed here (PBKDF2 with
 * HMAC-SHA-256, as libpq's PQencryptPasswordConn does); only the verifier reaches psql, on stdin.
 * Nothing changes when the role's verifier already matches. PostgreSQL normalises non-ASCII
 * passwords (SASLprep) before hashing, so those are refused rather than hashed differently.
 */
export const setPasswordScript = `#!/usr/bin/perl
use strict;
use warnings;
use Digest::SHA qw(sha256 hmac_sha256);
use MIME::Base64 qw(encode_base64 decode_base64);

my ($role, $file, @psql) = @ARGV;
die "usage: set-password ROLE FILE PSQL [ARG...]\\n" unless @psql;
open(my $in, '<:raw', $file) or die "set-password: cannot read the password of role $role: $!\\n";
my $password = do { local $/; <$in> } // '';
close($in);
die "set-password: the password of role $role is empty\\n" if $password eq '';
die "set-password: the password of role $role is not ASCII; PostgreSQL would normalise it first\\n" if $password =~ /[^\\x00-\\x7f]/;

sub b64 { encode_base64($_[0], '') }
sub verifier {
  my ($salt, $iterations) = @_;
  my $u = hmac_sha256($salt . pack('N', 1), $password);
  my $salted = $u;
  for (2 .. $iterations) { $u = hmac_sha256($u, $password); $salted ^= $u; }
  my $stored = sha256(hmac_sha256('Client Key', $salted));
  my $server = hmac_sha256('Server Key', $salted);
  return 'SCRAM-SHA-256$' . $iterations . ':' . b64($salt) . '$' . b64($stored) . ':' . b64($server);
}

(my $quoted = $role) =~ s/'/''/g;
open(my $query, '-|', @psql, '-At', '-c', "SELECT rolpassword FROM pg_authid WHERE rolname = '$quoted'")
  or die "set-password: cannot run psql: $!\\n";
my $current = do { local $/; <$query> } // '';
close($query) or die "set-password: reading the password of role $role failed\\n";
chomp($current);
exit 0 if $current =~ /^SCRAM-SHA-256\\$(\\d+):([A-Za-z0-9+\\/=]+)\\$/ && verifier(decode_base64($2), $1) eq $current;

open(my $random, '<:raw', '/dev/urandom') or die "set-password: /dev/urandom: $!\\n";
read($random, my $salt, 16) == 16 or die "set-password: short read from /dev/urandom\\n";
close($random);
(my $name = $role) =~ s/"/""/g;
open(my $alter, '|-', @psql) or die "set-password: cannot run psql: $!\\n";
print $alter "ALTER ROLE \\"$name\\" PASSWORD '" . verifier($salt, 4096) . "';\\n";
close($alter) or die "set-password: setting the password of role $role failed\\n";
print "set the password of role $role\\n";
`;

/**
 * The setup script (run by postgresql-setup.service at start and at reload). It talks to the server
 * that runs now, on the port and socket its postmaster.pid names: during a deploy that changes the
 * port, the setup may run before the server restarts, and both servers hold the same roles and
 * databases. `passwords` lists one role a line, whose password is in the file passwordPrefix<role>.
 */
export function renderSetupScript(p: { bin: string; dataDir: string; helperDir: string; passwordPrefix: string }): string {
  return `#!/bin/sh
# Written by Roost: PostgreSQL roles, databases and passwords (services.postgresql.ensure*).
set -eu
pid=${p.dataDir}/postmaster.pid
i=0
while :; do
  port=$(sed -n 4p "$pid" 2>/dev/null || true)
  socket=$(sed -n 5p "$pid" 2>/dev/null || true)
  if [ -n "$port" ] && [ -n "$socket" ] && ${p.bin}/pg_isready -q -h "$socket" -p "$port"; then break; fi
  i=$((i + 1))
  if [ "$i" -ge 600 ]; then echo "PostgreSQL did not answer within 60 s" >&2; exit 1; fi
  sleep 0.1
done
set -- ${p.bin}/psql -X -q -v ON_ERROR_STOP=1 -h "$socket" -p "$port" -d postgres
"$@" -f ${p.helperDir}/ensure.sql
while read -r role; do
  /usr/bin/perl ${p.helperDir}/set-password "$role" "${p.passwordPrefix}$role" "$@"
done < ${p.helperDir}/passwords
`;
}
