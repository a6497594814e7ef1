import { option, types as t, type OptionTree } from "../../core/index.ts";
import { unitKey, unitRef, unitText, unitValue, unitWord } from "./unit-value.ts";

const list = (description: string, type: Parameters<typeof t.listOf>[0] = unitText) =>
  option({ type: t.listOf(type), default: [], description });
const maybe = <T extends Parameters<typeof t.nullOr>[0]>(type: T, description: string) =>
  option({ type: t.nullOr(type), default: null, description });
const extra = (section: string) =>
  option({
    type: t.attrsOf(unitValue, unitKey),
    default: {},
    description: `Raw [${section}] keys Roost has no typed option for, rendered as written.`,
    example: { [section === "Service" ? "OOMPolicy" : "Foo"]: "continue" },
  });

/** Typed [Unit] keys beyond the dependency lists every unit has. */
export const unitSection = {
  StartLimitIntervalSec: maybe(t.duration, "Rate-limit window for starts."),
  StartLimitBurst: maybe(t.ints.unsigned, "Starts allowed in the window."),
  OnFailure: list("Units started when this one fails.", unitRef),
  ConditionPathExists: list("Start only if these paths exist (prefix ! to negate)."),
  RequiresMountsFor: list("Wait for the mounts these paths live on.", unitWord),
  DefaultDependencies: maybe(t.bool, "Add the usual dependencies on basic.target and shutdown.target."),
  extraConfig: extra("Unit"),
} satisfies OptionTree;

const hardening = {
  NoNewPrivileges: maybe(t.bool, "Neither the service nor its children can gain privileges."),
  PrivateTmp: maybe(t.bool, "A private /tmp and /var/tmp."),
  PrivateDevices: maybe(t.bool, "A minimal /dev without physical devices."),
  ProtectSystem: maybe(t.enumOf(["yes", "no", "full", "strict"]), "Mount /usr, /boot (full: and /etc; strict: everything) read-only."),
  ProtectHome: maybe(t.enumOf(["yes", "no", "read-only", "tmpfs"]), "Hide or protect /home, /root and /run/user."),
  ProtectKernelTunables: maybe(t.bool, "Make /proc/sys and /sys read-only."),
  ProtectKernelModules: maybe(t.bool, "Deny module loading."),
  ProtectKernelLogs: maybe(t.bool, "Deny access to the kernel log."),
  ProtectControlGroups: maybe(t.bool, "Make the cgroup tree read-only."),
  ProtectClock: maybe(t.bool, "Deny changes to the clock."),
  ProtectHostname: maybe(t.bool, "Deny changes to the host name."),
  RestrictSUIDSGID: maybe(t.bool, "Deny setting set-user-ID and set-group-ID bits."),
  RestrictRealtime: maybe(t.bool, "Deny realtime scheduling."),
  RestrictNamespaces: maybe(t.bool, "Deny creating namespaces."),
  LockPersonality: maybe(t.bool, "Lock the execution domain."),
  MemoryDenyWriteExecute: maybe(t.bool, "Deny memory mappings that are writable and executable."),
  ReadWritePaths: list("Paths writable despite ProtectSystem.", unitWord),
  ReadOnlyPaths: list("Paths made read-only.", unitWord),
  InaccessiblePaths: list("Paths hidden from the service.", unitWord),
  CapabilityBoundingSet: list("Capabilities the service may ever hold (prefix ~ to drop instead).", unitWord),
  AmbientCapabilities: list("Capabilities granted to an unprivileged service, e.g. CAP_NET_BIND_SERVICE.", unitWord),
  SystemCallFilter: list("Allowed (or, with ~, denied) system calls or sets such as @system-service.", unitWord),
  SystemCallArchitectures: maybe(unitWord, "Allowed system call ABIs; native is the usual choice."),
  RestrictAddressFamilies: list("Allowed socket address families.", unitWord),
  UMask: maybe(t.strMatching(/^[0-7]{4}$/, 'umask such as "0027"'), "File mode creation mask."),
} satisfies OptionTree;

/** Typed [Service] keys: what a service runs, as whom, how it restarts, and how it is confined. */
export const serviceSection = {
  Type: maybe(
    t.enumOf(["simple", "exec", "forking", "oneshot", "dbus", "notify", "notify-reload", "idle"]),
    "How systemd knows the service is up.",
  ),
  ExecStart: list("Command lines to run (one, except for oneshot services)."),
  ExecStartPre: list("Commands run before ExecStart (prefix - to ignore failure, + to run as root)."),
  ExecStartPost: list("Commands run after the service started."),
  ExecReload: list("Commands that make the service reload its configuration."),
  ExecStop: list("Commands that stop the service."),
  User: maybe(unitText, "Run as this user."),
  Group: maybe(unitText, "Run with this group."),
  SupplementaryGroups: list("Extra groups.", unitWord),
  DynamicUser: maybe(t.bool, "Run as a transient user allocated at start."),
  WorkingDirectory: maybe(unitText, "The working directory."),
  EnvironmentFile: list("Files of KEY=value lines (prefix - if optional)."),
  Restart: maybe(
    t.enumOf(["no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"]),
    "When to restart the service.",
  ),
  RestartSec: maybe(t.duration, "Wait before restarting."),
  RemainAfterExit: maybe(t.bool, "A oneshot stays active after it exits."),
  TimeoutStartSec: maybe(t.duration, "Give up on starting after this long."),
  TimeoutStopSec: maybe(t.duration, "Kill after this long when stopping."),
  WatchdogSec: maybe(t.duration, "Watchdog interval (sd_notify)."),
  KillMode: maybe(t.enumOf(["control-group", "mixed", "process", "none"]), "Which processes to kill on stop."),
  PIDFile: maybe(t.path, "PID file of a forking service."),
  StateDirectory: list("Directories under /var/lib created for the service.", unitWord),
  RuntimeDirectory: list("Directories under /run created for the service.", unitWord),
  CacheDirectory: list("Directories under /var/cache created for the service.", unitWord),
  LogsDirectory: list("Directories under /var/log created for the service.", unitWord),
  ConfigurationDirectory: list("Directories under /etc created for the service.", unitWord),
  StateDirectoryMode: maybe(t.strMatching(/^[0-7]{4}$/, 'mode such as "0750"'), "Mode of the StateDirectory."),
  RuntimeDirectoryMode: maybe(t.strMatching(/^[0-7]{4}$/, 'mode such as "0750"'), "Mode of the RuntimeDirectory."),
  LimitNOFILE: maybe(t.ints.positive, "Open file limit."),
  MemoryMax: maybe(t.bytes, "Hard memory limit."),
  CPUQuota: maybe(t.strMatching(/^\d+%$/, 'percentage such as "50%"'), "CPU time limit."),
  Nice: maybe(t.ints.between(-20, 19), "Scheduling priority."),
  Slice: maybe(unitText, "The slice the service runs in."),
  StandardOutput: maybe(unitText, "Where stdout goes (journal by default)."),
  StandardError: maybe(unitText, "Where stderr goes."),
  SyslogIdentifier: maybe(unitText, "The name in the journal."),
  ...hardening,
  extraConfig: extra("Service"),
} satisfies OptionTree;

export const timerSection = {
  OnCalendar: list('Calendar events, e.g. "daily", "*-*-* 00/6:00:00".'),
  OnBootSec: maybe(t.duration, "Run this long after boot."),
  OnStartupSec: maybe(t.duration, "Run this long after systemd started."),
  OnActiveSec: maybe(t.duration, "Run this long after the timer started."),
  OnUnitActiveSec: maybe(t.duration, "Run this long after the unit last started."),
  OnUnitInactiveSec: maybe(t.duration, "Run this long after the unit last stopped."),
  Persistent: maybe(t.bool, "Catch up on runs missed while the host was off."),
  RandomizedDelaySec: maybe(t.duration, "Spread runs by up to this much."),
  AccuracySec: maybe(t.duration, "How precisely the timer fires."),
  Unit: maybe(unitRef, "The unit to start (default: the service of the same name)."),
  extraConfig: extra("Timer"),
} satisfies OptionTree;

export const socketSection = {
  ListenStream: list('Stream sockets: a port, "127.0.0.1:8080" or a path.'),
  ListenDatagram: list("Datagram sockets."),
  Accept: maybe(t.bool, "Start one service instance per connection."),
  SocketUser: maybe(unitText, "Owner of a socket file."),
  SocketGroup: maybe(unitText, "Group of a socket file."),
  SocketMode: maybe(t.strMatching(/^[0-7]{4}$/, 'mode such as "0660"'), "Mode of a socket file."),
  Service: maybe(unitRef, "The service to start (default: the service of the same name)."),
  extraConfig: extra("Socket"),
} satisfies OptionTree;

export const pathSection = {
  PathExists: list("Start the unit when this path exists."),
  PathChanged: list("Start the unit when this file is closed after writing."),
  PathModified: list("Start the unit when this file is written."),
  DirectoryNotEmpty: list("Start the unit when this directory has entries."),
  Unit: maybe(unitRef, "The unit to start (default: the service of the same name)."),
  MakeDirectory: maybe(t.bool, "Create the watched directories."),
  extraConfig: extra("Path"),
} satisfies OptionTree;
