import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineFleet, host, secret } from "roost";
import { buildHostFrom } from "roost/testing";
import { apps } from "roost/services/app";
import { mail } from "./index.ts";

function build(mailConfig: Record<string, unknown>, appConfig: Record<string, unknown> | null = null) {
  const fleet = defineFleet({
    hosts: {
      a: host({
        address: "root@10.0.0.1",
        modules: [mail, apps],
        config: {
          services: { mail: mailConfig as never, ...(appConfig ? { apps: { shop: appConfig as never } } : {}) },
        },
      }),
    },
  });
  return buildHostFrom(fleet, "a");
}

describe("services.mail", () => {
  it("adds nothing until a smarthost is set", () => {
    const built = build({});
    assert.ok(!built.paths.includes("/etc/msmtprc"));
    assert.ok(!built.manifest.packages.includes("msmtp"));
  });

  it("writes msmtp's configuration, the password read from a secret only root reads", () => {
    const built = build({
      smarthost: { host: "smtp.example.org", user: "ops", passwordSecret: secret("smtp_password"), from: "ops@example.org" },
      notifyTo: ["admin@example.org"],
    });
    assert.equal(
      built.file("/etc/msmtprc"),
      [
        "account default",
        "host smtp.example.org",
        "port 587",
        "from ops@example.org",
        "tls on",
        "tls_starttls on",
        "tls_trust_file /etc/ssl/certs/ca-certificates.crt",
        "auth on",
        "user ops",
        'passwordeval "cat /run/roost/secrets/mail-smarthost-password"',
        "syslog LOG_MAIL",
        "",
      ].join("\n"),
    );
    assert.ok(built.manifest.packages.includes("msmtp"));
    assert.equal(built.config.secrets["mail-smarthost-password"]!.mode, "0400");
  });

  it("mails a failed unit's status and journal through the template unit notify-failed@", () => {
    const built = build({ smarthost: { host: "10.0.0.9", port: 2525, tls: false }, notifyTo: ["a@example.org", "b@example.org"] });
    const unit = built.file("/etc/systemd/system/notify-failed@.service");
    assert.match(unit, /^Environment="FAILED_UNIT=%i"$/m);
    assert.doesNotMatch(unit, /WantedBy/);
    const script = built.file("/etc/roost/units/notify-failed@.service/start");
    assert.match(script, /^recipients='a@example\.org b@example\.org'$/m);
    assert.match(script, /^from=root@a$/m);
    assert.match(script, /journalctl --no-pager --output=short-iso --lines=50 --unit="\$FAILED_UNIT"/);
    assert.match(script, /\| msmtp -C \/etc\/msmtprc -- \$recipients$/m);
    assert.match(built.file("/etc/msmtprc"), /^tls off$/m);
    assert.doesNotMatch(built.file("/etc/msmtprc"), /tls_starttls|auth on/);
  });

  it("refuses a smarthost without recipients, or a password without a user", () => {
    assert.throws(() => build({ smarthost: { host: "smtp.example.org" } }), /services\.mail\.notifyTo is empty/);
    assert.throws(
      () => build({ smarthost: { host: "smtp.example.org", passwordSecret: secret("p") }, notifyTo: ["a@example.org"] }),
      /passwordSecret needs services\.mail\.smarthost\.user/,
    );
  });

  it("refuses an address that would inject a header or a line", () => {
    assert.throws(
      () => build({ smarthost: { host: "smtp.example.org", from: "a@b.org\nBcc: x@y.org" }, notifyTo: ["a@example.org"] }),
      /mail address/,
    );
  });

  it("makes every unit of an app mail its failure once mail is configured", () => {
    const shop = { wsgi: { module: "shop.wsgi:application" }, port: 8000, preStart: [["python3", "manage.py", "migrate"]] };
    const withMail = build({ smarthost: { host: "10.0.0.9" }, notifyTo: ["a@example.org"] }, shop);
    assert.match(withMail.file("/etc/systemd/system/shop.service"), /^OnFailure=notify-failed@shop\.service\.service$/m);
    assert.match(withMail.file("/etc/systemd/system/shop-setup.service"), /^OnFailure=notify-failed@shop-setup\.service\.service$/m);
    const without = build({}, shop);
    assert.doesNotMatch(without.file("/etc/systemd/system/shop.service"), /OnFailure/);
    assert.throws(() => build({}, { ...shop, notifyOnFailure: true }), /notifyOnFailure needs services\.mail\.smarthost\.host/);
  });
});
