import YAML from "yaml";
import { defineFormat, type Format } from "./settings.ts";
import { jsonLikeShape, type JsonDefinition, type JsonValue } from "./json.ts";

/**
 * YAML for any JSON value. Strings are quoted wherever a YAML 1.1 reader (PyYAML, go-yaml v2) or a
 * YAML 1.2 reader would take them for something else (`on`, `yes`, `0777`, `1:20`, `null`, `<<`),
 * so both read back the same value. Keys in the value's order (sorted, for a merged value); no
 * anchors, no line folding.
 */
export function yaml(): Format<JsonValue, JsonDefinition> {
  return defineFormat("yaml", jsonLikeShape("YAML"), (value) =>
    YAML.stringify(value, { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false }),
  );
}
