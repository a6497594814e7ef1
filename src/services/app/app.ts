// One services.apps.<name> entry: its options, and the defaults that follow from its name and host.
import { mkDefault, types as t, type ConfigOf } from "roost";
import { appOptions, settingsFormats } from "./options.ts";

export const app = t.submodule({
  options: appOptions,
  config: ({ name, config, host }) => ({
    user: mkDefault(name),
    get group() {
      return mkDefault(config.user);
    },
    workingDirectory: mkDefault(`/var/lib/${name}`),
    get settingsFile() {
      return mkDefault(`/etc/${name}/settings.${settingsFormats[config.settingsFormat].extension}`);
    },
    get notifyOnFailure() {
      return mkDefault(host.config.services?.mail?.smarthost?.host != null);
    },
  }),
  validate: (a) => {
    if ((a.command === null) === (a.wsgi === null)) return "set exactly one of command and wsgi";
    if (a.wsgi !== null && a.port === null) return "a wsgi app needs a port";
    if (a.virtualHost !== null && a.port === null) return "an app behind a virtual host needs a port";
    if ((a.healthPath !== null || a.metricsPath !== null) && a.port === null) return "healthPath and metricsPath need a port";
    if (a.user === "root") return "an app does not run as root";
    return null;
  },
});

export type AppConfig = ConfigOf<typeof appOptions>;
