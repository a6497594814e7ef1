import { yamlLibrary } from "../../core/yaml-library.ts";
import { defineFormat, type Format } from "./settings.ts";
import { jsonLikeShape, type JsonDefinition, type JsonValue } from "./json.ts";

/**
 * Strings a YAML 1.1 reader takes for something else when plain (1.2 readers are the library's own
 * concern): its booleans, the merge key, anything that starts like a number, sexagesimal or date,
 * and the characters 1.1 counts as line breaks.
 */
const notPlain11 = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<|=)$/,
  /^[-+]?\.?[0-9][0-9a-zA-Z_:.+-]*$/,
  /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$|^[-+]?(?:[0-9][0-9_]*)?\.[0-9._]*(?:[eE][-+][0-9]+)?$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
  /[\x85\u2028\u2029\ufeff]/,
];

/**
 * YAML for any JSON value. Strings are quoted wherever a YAML 1.1 reader (PyYAML, go-yaml v2) or a
 * YAML 1.2 reader would take them for something else (`on`, `yes`, `0777`, `0o17`, `1:20`, `null`,
 * `<<`), so both read back the same value. Keys in the value's order (sorted, for a merged value);
 * no anchors, no line folding.
 */
export function yaml(): Format<JsonValue, JsonDefinition> {
  return defineFormat("yaml", jsonLikeShape("YAML"), (value) => {
    // The library's 1.1 schema writes "<<" plain whatever the style, so the document is 1.2 and the 1.1 cases are added here.
    const YAML = yamlLibrary();
    const doc = new YAML.Document(value, { version: "1.2", aliasDuplicateObjects: false });
    YAML.visit(doc, {
      Scalar(_key, node) {
        if (typeof node.value === "string" && notPlain11.some((re) => re.test(node.value as string))) node.type = "QUOTE_DOUBLE";
      },
    });
    return doc.toString({ lineWidth: 0 });
  });
}
