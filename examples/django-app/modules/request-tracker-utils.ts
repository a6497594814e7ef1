// Request Tracker Utils, the Django app of the NixOS deployment guide this example follows: the
// same options (services.requestTrackerUtils.*), built on Roost's generic services.apps. The app's
// code is ./app beside this folder; gunicorn serves it behind nginx with an ACME certificate,
// migrations and collectstatic run before every start and reload, the database is SQLite in the
// working directory, and a failure mails the admins.
import { fileURLToPath } from "node:url";
import { defineModule, enableOption, mkIf, option, secret, types as t } from "roost";
import { apps } from "roost/services/app";

const name = "request-tracker-utils";
const code = "/opt/request-tracker-utils";
const python = (...args: string[]) => ["/usr/bin/python3", `${code}/manage.py`, ...args];

export const requestTrackerUtils = defineModule({
  name: "request-tracker-utils",
  imports: [apps],
  options: {
    services: {
      requestTrackerUtils: {
        enable: enableOption("Request Tracker Utils"),
        host: option({ type: t.str, default: "127.0.0.1", description: "Bind address of gunicorn." }),
        port: option({ type: t.port, default: 8000, description: "Port gunicorn listens on." }),
        workers: option({ type: t.ints.between(1, 64), default: 4, description: "Gunicorn workers (2-4 per core)." }),
        domain: option({
          type: t.nullOr(t.str),
          default: null,
          description: "Serve the app under this name through nginx, HTTPS with an ACME certificate (null: no web server).",
          example: "rtutils.example.org",
        }),
        secrets: option({
          type: t.attrsOf(t.secretRef),
          default: {
            SECRET_KEY: secret("rtutils_secret_key"),
            RT_USERNAME: secret("rtutils_rt_username"),
            RT_PASSWORD: secret("rtutils_rt_password"),
          },
          description: "The guide's secrets.env, as Roost secrets: environment variable → secret (encrypted in secrets.yaml).",
        }),
        debug: option({ type: t.bool, default: false, description: "Django's DEBUG. Never true in production." }),
        allowedHosts: option({
          type: t.listOf(t.str),
          default: ["localhost"],
          description: "Django's ALLOWED_HOSTS (the domain, and 127.0.0.1 for the health check, are added).",
          example: ["rtutils.example.org", "localhost"],
        }),
        workingDirectory: option({
          type: t.path,
          default: "/var/lib/request-tracker-utils",
          description: "Instance directory: database.sqlite, static/ (collected), media/.",
        }),
        user: option({ type: t.str, default: "rtutils", description: "The service account (created)." }),
        group: option({ type: t.str, default: "rtutils", description: "Its group (created)." }),
        labelWidthMm: option({ type: t.ints.positive, default: 100, description: "Label width in mm." }),
        labelHeightMm: option({ type: t.ints.positive, default: 62, description: "Label height in mm." }),
        prefix: option({ type: t.str, default: "W12-", description: "Asset tag prefix." }),
        padding: option({ type: t.ints.between(0, 12), default: 4, description: "Digits of an asset tag's number (zero-padded)." }),
        rtUrl: option({ type: t.str, default: "https://tickets.wc-12.com", description: "Base URL of the Request Tracker instance." }),
        apiEndpoint: option({ type: t.str, default: "/REST/2.0", description: "RT REST API endpoint." }),
      },
    },
  },
  config: ({ config }) => {
    const cfg = config.services.requestTrackerUtils;
    const dir = cfg.workingDirectory;
    return mkIf(cfg.enable, {
      services: {
        apps: {
          [name]: {
            description: "Request Tracker Utils (Django, gunicorn)",
            user: cfg.user,
            group: cfg.group,
            workingDirectory: dir,
            code: { source: fileURLToPath(new URL("../app", import.meta.url)), directory: code },
            packages: ["python3-django"],
            wsgi: { module: "rtutils.wsgi:application", workers: cfg.workers },
            host: cfg.host,
            port: cfg.port,
            environment: { DJANGO_SETTINGS_MODULE: "rtutils.settings" },
            secrets: cfg.secrets,
            settingsVariable: "RTUTILS_SETTINGS",
            settings: {
              debug: cfg.debug,
              allowedHosts: [...new Set([...(cfg.domain ? [cfg.domain] : []), ...cfg.allowedHosts, "127.0.0.1"])],
              staticRoot: `${dir}/static`,
              label: { widthMm: cfg.labelWidthMm, heightMm: cfg.labelHeightMm, prefix: cfg.prefix, padding: cfg.padding },
              rtUrl: cfg.rtUrl,
              apiEndpoint: cfg.apiEndpoint,
            },
            preStart: [python("migrate", "--noinput"), python("collectstatic", "--noinput")],
            dataDirectories: [`${dir}/media`],
            database: { type: "sqlite", path: `${dir}/database.sqlite` },
            healthPath: "/healthz",
            virtualHost: cfg.domain ? { domain: cfg.domain, staticFiles: { urlPath: "/static/", directory: `${dir}/static` } } : null,
            timers: { report: { command: python("report_labels"), onCalendar: "*-*-* 00/6:00:00" } },
            memoryMax: "512M",
            tasksMax: 256,
          },
        },
      },
    });
  },
});
