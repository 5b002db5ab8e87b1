import type { ScaffoldContext } from "./context.js";

// manifest.yaml, package.json and README of a new pack, per class.

function manifest(c: ScaffoldContext): string {
  const { id } = c;
  const byKind = {
    framework_pack: {
      visibility: "public",
      implementation: "declarative_module",
      delivery: "app_embedded",
      licensed: "[]",
    },
    external_adapter: {
      visibility: "public",
      implementation: "external_integration",
      delivery: "external_integration",
      licensed: "[]",
    },
    hosted_pack: {
      visibility: "licensed",
      implementation: "external_integration",
      delivery: "hosted_integration",
      licensed: `\n    - ${c.service}`,
    },
  }[c.kind];
  const adminSurface =
    c.kind === "hosted_pack"
      ? `  - id: ${id}_admin
    kind: admin_section
    hosted_only: true            # an operator surface: built only where the host provides the pack
    label: ${c.label} operations
`
      : `  - id: ${id}_admin
    kind: admin_section
    label: ${c.label}
`;
  const adapter =
    c.kind === "framework_pack"
      ? ""
      : `adapter_template:
  source: templates/${id}_client.ts
  target: backend/integrations/${id}_client.ts
`;
  return `schema_version: mozaiks.capability_pack.v1
capability_pack_id: ${id}
label: ${c.label}
summary: ${c.label} items that users create and list, with an event on create and a reaction that counts them.
visibility: ${byKind.visibility}
pack_type: ${id}_pack
implementation_mode: ${byKind.implementation}
delivery_mode: ${byKind.delivery}
capability_source: ${c.kind}
requires:
  licensed_services: ${byKind.licensed}
  connectors: []
  mozaiks: "${c.mozaiksRange}"     # runtime contract versions this pack works with
  packs: []                        # other packs it needs (also npm dependencies in package.json)
contributes:
  modules:
    - ${id}
  pages:
    - ${id}
  admin_sections:
    - ${id}_admin
  workflows: []
  events:
    - domain.${id}.item_created
surfaces:
  - id: ${id}
    kind: page
    route: /${id.replace(/_/g, "-")}
    label: ${c.label}
${adminSurface}hard_constraints:
  - Keep handler.ts thin; SQL lives in repo.ts only.
  - Publish only declared domain events.
${adapter}`;
}

function packageJson(c: ScaffoldContext): string {
  const files = [
    "manifest.yaml",
    "app_overlay",
    "README.md",
    ...(c.kind === "framework_pack" ? [] : ["templates"]),
  ];
  const json = {
    name: c.packageName,
    version: "0.1.0",
    description: `${c.label}: a Mozaiks capability pack.`,
    license: c.kind === "hosted_pack" ? "UNLICENSED" : "Apache-2.0",
    type: "module",
    keywords: ["mozaiks", "mozaiks-pack"],
    mozaiks: { manifest: "manifest.yaml" },
    files,
    scripts: {
      test: "vitest run",
      validate: "mozaiks packs validate .",
      pack: "mozaiks packs pack .",
    },
    dependencies: {},
    devDependencies: {
      "@mozaiks/contracts": "^0.1.0",
      "@types/better-sqlite3": "^7.6.13",
      "better-sqlite3": "^12.6.2",
      vitest: "^4.1.12",
    },
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function readme(c: ScaffoldContext): string {
  const hosted =
    c.kind === "hosted_pack"
      ? `\nThis is a licensed pack: an app may select it only when its host policy licenses
\`${c.service}\`, and never in an OSS build. Its admin section is a hosted-only operator surface.\n`
      : "";
  return `# ${c.label} (\`${c.id}\`)

A Mozaiks capability pack (${c.kind}). Guide: docs/guides/packs.md of the Mozaiks repository.
${hosted}
| path | what it is |
|---|---|
| \`manifest.yaml\` | the pack: id, visibility, \`requires\` (\`mozaiks\` runtime contract range, licensed services, other packs), what it contributes |
| \`app_overlay/modules/${c.id}/\` | the module the runtime hosts: \`module.yaml\`, contracts, \`backend/\`, \`migrations/\` |
| \`app_overlay/ui/pages/${c.id}.yaml\` | its page |
| \`tests/\` | tests on a real SQLite database (never copied into apps) |

\`\`\`sh
npm install
npm test                         # the module's tests on SQLite
mozaiks packs validate .         # every contract, cross-checked, with file:line:col
mozaiks packs pack .             # validate + handler exports + migrations, then npm pack
npm publish                      # plain npm
# in an app workspace:
mozaiks packs add ${c.packageName}@0.1.0
\`\`\`
`;
}

function adapterTemplate(c: ScaffoldContext): string {
  return `// Integration client facade of ${c.label}, installed at backend/integrations/${c.id}_client.ts.
// App code calls this facade, never the outside service directly.

export interface ${pascal(c.id)}Client {
  send(item: { id: string; title: string }): Promise<void>;
}

export function create${pascal(c.id)}Client(baseUrl: string, token: string): ${pascal(c.id)}Client {
  return {
    async send(item) {
      const res = await fetch(new URL("/items", baseUrl), {
        method: "POST",
        headers: { authorization: \`Bearer \${token}\`, "content-type": "application/json" },
        body: JSON.stringify(item),
      });
      if (!res.ok) throw new Error(\`${c.id}: the service answered \${res.status}\`);
    },
  };
}
`;
}

export const pascal = (id: string) =>
  id
    .split("_")
    .map((w) => (w ? w[0]?.toUpperCase() + w.slice(1) : ""))
    .join("");

export function packFiles(c: ScaffoldContext): Record<string, string> {
  const files: Record<string, string> = {
    "manifest.yaml": manifest(c),
    "package.json": packageJson(c),
    "README.md": readme(c),
  };
  if (c.kind !== "framework_pack") files[`templates/${c.id}_client.ts`] = adapterTemplate(c);
  return files;
}
