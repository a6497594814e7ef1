// The options of one services.apps.<name> entry: what runs (a command, or a WSGI module under
// gunicorn), as whom, with which environment, settings and secrets, what it needs before it
// starts, where its data lives, and how it is reached (port, virtual host, health and metrics).
import { formats, option, types as t } from "roost";

/** The formats a settings file can be written in; each refuses what it cannot hold. */
export const settingsFormats = {
  json: { format: formats.json(), extension: "json" },
  yaml: { format: formats.yaml(), extension: "yaml" },
  toml: { format: formats.toml(), extension: "toml" },
  ini: { format: formats.ini(), extension: "ini" },
  keyValue: { format: formats.keyValue(), extension: "env" },
} as const;
export type SettingsFormat = keyof typeof settingsFormats;

/** One argument of a command: any text but an empty one. */
const argument = t.strSatisfying("command argument", (v) => (v === "" ? "an empty argument cannot be passed" : null));
/** A command and its arguments, run without a shell (a program without a / is looked up in /usr/bin and /bin). */
export const argv = t.listOf(argument);
const variableName = t.strMatching(/^[A-Za-z_][A-Za-z0-9_]*$/, "environment variable name");
const urlPath = t.strMatching(/^\/[A-Za-z0-9_.~/-]*$/, "URL path starting with /");
const pythonTarget = t.strMatching(
  /^[A-Za-z_][A-Za-z0-9_.]*(:[A-Za-z_][A-Za-z0-9_.]*(\(\))?)?$/,
  'WSGI target such as "mysite.wsgi:application"',
);
/** A domain name with at least one dot: what a certificate can be issued for. */
export const domainName = t.strSatisfying("domain name", (v) =>
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v)
    ? null
    : "it is not a lower-case DNS name with a dot (letters, digits and -, e.g. app.example.org)",
);
const onCalendar = t.strMatching(/^[A-Za-z0-9*:,./~ -]+$/, 'systemd calendar event such as "*-*-* 00/6:00:00"');
const size = t.strMatching(/^\d+[kKmMgG]?$/, 'size such as "10m"');

const wsgi = t.submodule({
  options: {
    module: option({ type: pythonTarget, description: "The WSGI application, as gunicorn names it.", example: "mysite.wsgi:application" }),
    workers: option({ type: t.ints.between(1, 256), default: 2, description: "Worker processes (gunicorn --workers); 2-4 per core." }),
    threads: option({ type: t.ints.between(1, 256), default: 1, description: "Threads per worker (gunicorn --threads)." }),
    timeout: option({ type: t.duration, default: 30, description: "A worker silent for longer than this is killed and replaced." }),
    extraArgs: option({
      type: argv,
      default: [],
      description: "More gunicorn arguments, one per item.",
      example: ["--max-requests=1000"],
    }),
  },
});

const virtualHost = t.submodule({
  options: {
    domain: option({ type: domainName, description: "The name the app is served under.", example: "shop.example.org" }),
    aliases: option({ type: t.listOf(domainName), default: [], description: "More names, on the same certificate." }),
    enableACME: option({ type: t.bool, default: true, description: "Get the certificate from the ACME server (security.acme)." }),
    forceSSL: option({
      type: t.nullOr(t.bool),
      default: null,
      description:
        "Serve HTTPS and redirect HTTP to it (null: when enableACME; without ACME, HTTPS needs a certificate set on the nginx virtual host).",
    }),
    clientMaxBodySize: option({ type: t.nullOr(size), default: null, description: "Largest request body (null: nginx's default)." }),
    staticFiles: option({
      type: t.nullOr(
        t.submodule({
          options: {
            urlPath: option({ type: urlPath, default: "/static/", description: "The URL prefix served from the directory." }),
            directory: option({ type: t.path, description: "The directory nginx serves it from (the app's collected static files)." }),
          },
        }),
      ),
      default: null,
      description: "Files nginx serves itself, without asking the app.",
      example: { urlPath: "/static/", directory: "/var/lib/shop/static" },
    }),
  },
});

const database = t.submodule({
  options: {
    type: option({ type: t.enumOf(["postgresql", "mysql", "sqlite", "redis"]), description: "Which database module holds it." }),
    name: option({
      type: t.nullOr(t.strMatching(/^[a-z_][a-z0-9_]{0,62}$/, "database name (a-z, 0-9, _)")),
      default: null,
      description:
        "The database's name (null: the app's user, - written _); for redis, the name of the app's own server services.redis.servers.<name> (null: the app's name).",
    }),
    path: option({
      type: t.nullOr(t.path),
      default: null,
      description: "sqlite: the database file (null: <workingDirectory>/database.sqlite).",
    }),
  },
});

const timer = t.submodule({
  options: {
    command: option({
      type: argv,
      description: "What the job runs: a command and its arguments.",
      example: ["python3", "manage.py", "clearsessions"],
    }),
    onCalendar: option({
      type: onCalendar,
      default: "*-*-* 00/6:00:00",
      description: "When it runs (systemd OnCalendar); the default is four times a day.",
    }),
  },
});

const code = t.submodule({
  options: {
    source: option({
      type: t.path,
      description:
        'A directory beside the fleet whose files are the app\'s code: `fileURLToPath(new URL("./app", import.meta.url))`. Every regular file is installed (dot files and __pycache__ left out); a change of one reloads the app.',
    }),
    directory: option({
      type: t.nullOr(t.path),
      default: null,
      description: "Where the code is installed on the host, read-only for the app (null: /opt/<name>).",
    }),
  },
});

export const appOptions = {
  enable: option({ type: t.bool, default: true, description: "Run this app; false keeps it declared but removes it from the host." }),
  description: option({ type: t.str, default: "", description: "What the app is, for its units." }),
  command: option({
    type: t.nullOr(argv),
    default: null,
    description: "What runs the app, as a command and its arguments (or set wsgi). It gets HOST and PORT in its environment.",
    example: ["/usr/bin/node", "server.js"],
  }),
  wsgi: option({
    type: t.nullOr(wsgi),
    default: null,
    description:
      "Run a Python WSGI application under Debian's gunicorn, bound to host:port; code and settings changes reload it gracefully (HUP).",
  }),
  host: option({
    type: t.strMatching(/^([0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:]*)$/, "IP address"),
    default: "127.0.0.1",
    description: "The address the app listens on.",
  }),
  port: option({
    type: t.nullOr(t.port),
    default: null,
    description: "The port the app listens on (declared in networking.ports); null: it serves no port.",
  }),
  user: option({ type: t.str, description: "The system user it runs as (created).", defaultText: "the app's name" }),
  group: option({ type: t.str, description: "Its group (created).", defaultText: "the user's name" }),
  workingDirectory: option({
    type: t.path,
    description: "Where it runs and keeps its state; created, owned by the app's user, writable despite the hardening.",
    defaultText: "/var/lib/<name>",
  }),
  code: option({ type: t.nullOr(code), default: null, description: "The app's code, shipped from the fleet's directory." }),
  packages: option({ type: t.listOf(t.pkg), default: [], description: "Debian packages the app needs.", example: ["python3-django"] }),
  environment: option({
    type: t.attrsOf(t.str, variableName),
    default: {},
    description: "Environment variables (never secrets: see secrets).",
    example: { DJANGO_SETTINGS_MODULE: "mysite.settings" },
  }),
  secrets: option({
    type: t.attrsOf(t.secretRef, variableName),
    default: {},
    description:
      "Environment variables whose values are Roost secrets: an EnvironmentFile under /run, read by systemd; a change restarts the app.",
    example: { SECRET_KEY: { secret: "shop_secret_key" } },
  }),
  settings: option({
    type: formats.json().type,
    default: {},
    description: "The app's settings, written to settingsFile in settingsFormat; a change reloads the app.",
    example: { allowedHosts: ["shop.example.org"] },
  }),
  settingsFormat: option({
    type: t.enumOf(["json", "yaml", "toml", "ini", "keyValue"]),
    default: "json",
    description: "How settings are written: json, yaml, toml, ini (sections of keys) or keyValue (KEY=value lines).",
  }),
  settingsFile: option({
    type: t.path,
    description: "Where settings are written (readable by the app's group only).",
    defaultText: "/etc/<name>/settings.<json|yaml|toml|ini|env>",
  }),
  settingsVariable: option({
    type: variableName,
    default: "APP_SETTINGS",
    description: "The environment variable that tells the app where settingsFile is.",
  }),
  preStart: option({
    type: t.listOf(argv),
    default: [],
    description:
      "Steps run before the app starts and before each reload, as the app's user in its working directory (migrations, collectstatic); one that fails stops the start, so the deploy rolls back.",
    example: [
      ["python3", "manage.py", "migrate", "--noinput"],
      ["python3", "manage.py", "collectstatic", "--noinput"],
    ],
  }),
  dataDirectories: option({
    type: t.listOf(t.path),
    default: [],
    description:
      "More directories the app writes to (besides workingDirectory): created, owned by its user, writable despite the hardening; what a backup keeps.",
    example: ["/srv/shop/media"],
  }),
  virtualHost: option({
    type: t.nullOr(virtualHost),
    default: null,
    description: "Serve the app through nginx under a domain, with HTTPS.",
  }),
  healthPath: option({
    type: t.nullOr(urlPath),
    default: null,
    description:
      "A path that answers 200 when the app is healthy: a Roost health check after every deploy, on http://127.0.0.1:<port><path> (Host: 127.0.0.1, which the app must accept).",
    example: "/healthz",
  }),
  metricsPath: option({
    type: t.nullOr(urlPath),
    default: null,
    description: "A path serving Prometheus metrics: registered as the scrape target <name> (monitoring.scrapeTargets).",
    example: "/metrics",
  }),
  database: option({
    type: t.nullOr(database),
    default: null,
    description: "The app's database, created by its database module, which must be enabled on this host.",
  }),
  timers: option({
    type: t.attrsOf(timer, t.strMatching(/^[a-z0-9][a-z0-9-]*$/, "timer name (a-z, 0-9, -)")),
    default: {},
    description: "Jobs run on a schedule as <name>-<timer>.service, with the app's user, environment and hardening.",
    example: { cleanup: { command: ["python3", "manage.py", "clearsessions"], onCalendar: "*-*-* 00/6:00:00" } },
  }),
  hardening: option({
    type: t.bool,
    default: true,
    description:
      "Confine the app's units: read-only system (ProtectSystem=strict) but its data directories, private /tmp, no new privileges, no home directories, no kernel tunables.",
  }),
  memoryMax: option({ type: t.nullOr(t.bytes), default: null, description: "Hard memory limit of the app (MemoryMax).", example: "512M" }),
  cpuQuota: option({
    type: t.nullOr(t.strMatching(/^\d+%$/, 'percentage such as "50%"')),
    default: null,
    description: "CPU limit (CPUQuota), 100% being one core.",
    example: "150%",
  }),
  tasksMax: option({
    type: t.nullOr(t.ints.positive),
    default: null,
    description: "Most processes and threads the app may have (TasksMax).",
    example: 256,
  }),
  openFirewall: option({
    type: t.bool,
    default: false,
    description: "Open the app's port to every address (usually nginx in front is enough).",
  }),
  notifyOnFailure: option({
    type: t.bool,
    description: "Mail services.mail.notifyTo when one of the app's units fails (OnFailure=notify-failed@…).",
    defaultText: "true when services.mail.smarthost is set",
  }),
};
