import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { mergeOf } from "../../core/test-support.ts";
import { isPlainObject } from "../../core/types/containers.ts";
import { nginx, type NginxAtom, type NginxBlock } from "./nginx.ts";
import {
  assertGolden,
  friendlyString,
  itRoundTrips,
  nastyKey,
  nastyScalar,
  number,
  objectOf,
  readNginx,
  refusal,
  throughType,
  type NginxDirective,
} from "./test-support.ts";

const format = nginx();

const argText = (a: NginxAtom) => (typeof a === "boolean" ? (a ? "on" : "off") : String(a));

/** The directives nginx reads: each name once per entry of its list, arguments as text. */
function asRead(block: NginxBlock): NginxDirective[] {
  return Object.entries(block).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((entry) => {
      const args: unknown[] = Array.isArray(entry) ? entry : [entry];
      const body = isPlainObject(args.at(-1)) ? (args.at(-1) as NginxBlock) : undefined;
      const words = (body ? args.slice(0, -1) : args).map((a) => argText(a as NginxAtom));
      return body ? { name, args: words, block: asRead(body) } : { name, args: words };
    }),
  );
}

const name = fc
  .oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/), fc.constantFrom("~^/static/", "text/html", "$x", "=404", "default"))
  .filter((n) => n !== "__proto__");
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom(" ", "\n", "\r", "\t", ";", "{", "}", "#", "'", '"', "\\", "$", "${", "(", ")", "%"),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  ),
  maxLength: 8,
});
const arg = fc.oneof(friendlyString, text, number, fc.boolean());

function blocks(atom: fc.Arbitrary<unknown>, key: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const { block } = fc.letrec((tie) => ({
    block: objectOf(key, tie("value"), 3),
    value: fc.oneof({ depthSize: "small" }, atom, tie("block"), fc.array(tie("entry"), { maxLength: 3 })),
    entry: fc.oneof(
      { depthSize: "small" },
      atom,
      tie("block"),
      fc
        .tuple(fc.array(atom, { maxLength: 3 }), fc.option(tie("block"), { nil: undefined }))
        .map(([a, b]) => (b === undefined ? a : [...a, b])),
    ),
  }));
  return block;
}

describe("formats.nginx", () => {
  itRoundTrips(format, {
    good: blocks(arg, name),
    nasty: fc.oneof(blocks(nastyScalar, nastyKey), blocks(fc.array(nastyScalar, { maxLength: 3 }), name), nastyScalar),
    read: readNginx,
    expected: asRead,
  });

  it("writes a site's server block like the golden file", () => {
    const settings = mergeOf(format.type, {
      upstream: [["app", { server: [["127.0.0.1:8000", "max_fails=3"]], keepalive: 16 }]],
      map: [["$http_upgrade", "$connection_upgrade", { default: "upgrade", "": "close" }]],
      server: [
        {
          listen: [
            [443, "ssl"],
            ["[::]:443", "ssl"],
          ],
          http2: true,
          server_name: [["example.org", "www.example.org"]],
          ssl_certificate: "/var/lib/acme/example.org/fullchain.pem",
          ssl_certificate_key: "/var/lib/acme/example.org/key.pem",
          add_header: [
            ["X-Frame-Options", "DENY", "always"],
            ["Content-Security-Policy", "default-src 'self'; img-src * data:", "always"],
          ],
          log_format: [["main", '$remote_addr [$time_local] "$request" $status']],
          root: "/srv/www/example.org",
          location: [
            ["/", { try_files: [["$uri", "$uri/", "=404"]] }],
            [
              "/api/",
              {
                proxy_pass: "http://app",
                proxy_set_header: [
                  ["Host", "$host"],
                  ["Upgrade", "$http_upgrade"],
                  ["Connection", "$connection_upgrade"],
                ],
              },
            ],
            ["~", "\\.php$", { return: [[403]] }],
          ],
        },
        { listen: [80, "[::]:80"], server_name: [["example.org", "www.example.org"]], return: [[301, "https://$host$request_uri"]] },
      ],
    });
    assertGolden("site.conf", format.generate(settings));
  });

  it("refuses a directive name with spaces, suggesting arguments", () => {
    assert.equal(
      refusal(() => format.generate({ server: { "location /api": { return: 404 } } })).headline,
      'nginx cannot hold server."location /api": the name is not an nginx directive name (no whitespace, quotes, ; { } # or \\), or "" (written \'\', the empty key of a map block): it contains whitespace; write arguments as a list, e.g. location: [["/api/", { … }]]',
    );
    const typed = throughType(format.type, { server: { "location /api": { return: 404 } } });
    assert.ok("error" in typed);
    assert.match(typed.error.format(), /^error: x\.server\."location \/api": expected a name that is an nginx directive name/);
  });

  it("refuses a block before the last argument and a control character", () => {
    assert.match(
      refusal(() => format.generate({ location: [[{ root: "/" }, "/x"]] })).headline,
      /nginx cannot hold location\[0\]: a block may only be its directive's last argument/,
    );
    assert.match(
      refusal(() => format.generate({ return: "a\x00b" })).headline,
      /nginx cannot hold return: it contains a control character/,
    );
  });

  it("quotes only the arguments that need it", () => {
    assert.equal(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: nginx's own ${var} syntax, written literally
      format.generate({ set: [["$a", "${b}c"]], add_header: [["X", 'it\'s; {x} #1 \\ "y"\n', ""]] }),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the same, as nginx reads it
      "set $a '${b}c';\nadd_header X 'it\\'s; {x} #1 \\\\ \"y\"\\n' '';\n",
    );
  });

  it('writes the key "" of a map block as the empty string', () => {
    assert.equal(
      format.generate({ map: [["$http_upgrade", "$connection_upgrade", { default: "upgrade", "": "close" }]] }),
      "map $http_upgrade $connection_upgrade {\n    default upgrade;\n    '' close;\n}\n",
    );
  });
});
