// Outgoing mail through a smarthost (Debian's msmtp), and `notify-failed@<unit>.service`, which
// mails a failed unit's status and the last lines of its journal. Units opt in with
// `OnFailure=notify-failed@<unit>.service` (mailOnFailure below); services.apps does it for its units.
import { defineModule, mkIf, option, shellArgs, shellQuote, types as t } from "roost";
import { msmtpValueProblem, renderMsmtprc } from "./msmtprc.ts";

const hostname = t.strMatching(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, "host name or IP address");
const mailAddress = t.strSatisfying("mail address", (v) =>
  /^[^\s@<>"',;]+@[A-Za-z0-9.-]+$/.test(v) ? msmtpValueProblem(v) : "it is not local@domain (no spaces, quotes, <, >, , or ;)",
);
const userName = t.strSatisfying("smarthost user name", (v) => (v === "" ? "it is empty" : msmtpValueProblem(v)));

/** Where the smarthost password is decrypted: root's only, read by msmtp's passwordeval. */
const passwordOutput = "mail-smarthost-password";
export const msmtprcPath = "/etc/msmtprc";
/** Lines of the failed unit's journal a notification carries. */
const journalLines = 50;

/** The unit that mails the failure of `unit` (a full unit name such as "shop.service"). */
export function notifyUnitFor(unit: string): string {
  return `notify-failed@${unit}.service`;
}

export const mail = defineModule({
  name: "mail",
  options: {
    services: {
      mail: {
        smarthost: {
          host: option({
            type: t.nullOr(hostname),
            default: null,
            description: "The SMTP server every mail of this host goes through; null: this host sends no mail.",
            example: "smtp.example.org",
          }),
          port: option({ type: t.port, default: 587, description: "Its port (587 for STARTTLS, 465 for TLS from the start, 25)." }),
          from: option({
            type: t.nullOr(mailAddress),
            default: null,
            description: "The sender address; null: root@<networking.hostName>.",
            example: "ops@example.org",
          }),
          user: option({ type: t.nullOr(userName), default: null, description: "The user to log in as; null: no login." }),
          passwordSecret: option({
            type: t.nullOr(t.secretRef),
            default: null,
            description: "The login password, as a Roost secret (decrypted under /run, readable by root only).",
            example: { secret: "smtp_password" },
          }),
          tls: option({ type: t.bool, default: true, description: "Encrypt the connection (msmtp tls)." }),
          starttls: option({
            type: t.bool,
            default: true,
            description: "With tls: upgrade a plain connection with STARTTLS (port 587); false: TLS from the start (port 465).",
          }),
          tlsTrustFile: option({
            type: t.path,
            default: "/etc/ssl/certs/ca-certificates.crt",
            description: "The CA certificates that may sign the smarthost's certificate.",
          }),
        },
        notifyTo: option({
          type: t.listOf(mailAddress),
          default: [],
          description: "Who gets the mail when a unit with OnFailure=notify-failed@… fails (apps' notifyOnFailure).",
          example: ["ops@example.org"],
        }),
      },
    },
  },
  config: ({ config }) => {
    const cfg = config.services.mail;
    const relay = cfg.smarthost;
    const configured = relay.host !== null;
    const withPassword = relay.passwordSecret !== null;
    const from = relay.from ?? `root@${config.networking.hostName}`;
    return mkIf(configured, {
      assertions: [
        {
          assertion: cfg.notifyTo.length > 0,
          message: "services.mail.smarthost is set but services.mail.notifyTo is empty: failure mail would have no recipient",
          options: [["services", "mail", "smarthost", "host"]],
        },
        {
          assertion: !withPassword || relay.user !== null,
          message: "services.mail.smarthost.passwordSecret needs services.mail.smarthost.user",
          options: [["services", "mail", "smarthost", "passwordSecret"]],
        },
      ],
      packages: ["msmtp"],
      files: {
        [msmtprcPath]: {
          text: renderMsmtprc([
            ["host", relay.host],
            ["port", relay.port],
            ["from", from],
            ["tls", relay.tls],
            ["tls_starttls", relay.tls ? relay.starttls : null],
            ["tls_trust_file", relay.tls ? relay.tlsTrustFile : null],
            ["auth", relay.user !== null],
            ["user", relay.user],
            ["passwordeval", withPassword ? shellArgs(["cat", `/run/roost/secrets/${passwordOutput}`]) : null],
            ["syslog", "LOG_MAIL"],
          ]),
        },
      },
      secrets: withPassword ? { [passwordOutput]: { secret: relay.passwordSecret } } : {},
      systemd: {
        services: {
          "notify-failed@": {
            description: "Mail the failure of %i",
            // A template: %i is the failed unit, and the values are written as given.
            environment: { FAILED_UNIT: "%i" },
            // Started by OnFailure= only: a template is never enabled.
            wantedBy: [],
            serviceConfig: { Type: "oneshot" },
            secrets: withPassword ? [passwordOutput] : [],
            script: [
              `recipients=${shellQuote(cfg.notifyTo.join(" "))}`,
              `from=${shellQuote(from)}`,
              "host=$(hostname)",
              "{",
              '  printf "From: %s\\nTo: %s\\nSubject: [%s] %s failed\\nDate: %s\\nContent-Type: text/plain; charset=utf-8\\n\\n" \\',
              '    "$from" "$(echo $recipients | sed "s/ /, /g")" "$host" "$FAILED_UNIT" "$(date -R)"',
              '  systemctl status --full --no-pager --lines=0 -- "$FAILED_UNIT" || true',
              "  echo",
              `  journalctl --no-pager --output=short-iso --lines=${journalLines} --unit="$FAILED_UNIT" || true`,
              `} | msmtp -C ${msmtprcPath} -- $recipients`,
            ].join("\n"),
          },
        },
      },
    });
  },
});
