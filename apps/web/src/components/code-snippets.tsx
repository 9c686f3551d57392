// The playground's input as code: the replicate Node client, Python and curl, each pointed at this server.
import { useState } from "react";
import { CopyButton } from "./copy-button.js";

type Language = "node" | "python" | "curl";
const LANGUAGES: { id: Language; label: string }[] = [
  { id: "node", label: "Node.js" },
  { id: "python", label: "Python" },
  { id: "curl", label: "HTTP (curl)" },
];

export function CodeSnippets({ model, input }: { model: string; input: Record<string, unknown> }) {
  const [language, setLanguage] = useState<Language>("node");
  const code = snippet(language, model, input, window.location.origin);
  return (
    <section className="code-snippets" aria-label="Run this from code">
      <div className="tabs" role="tablist" aria-label="Language">
        {LANGUAGES.map((l) => (
          <button
            key={l.id}
            type="button"
            role="tab"
            aria-selected={language === l.id}
            className={language === l.id ? "tab active" : "tab"}
            onClick={() => setLanguage(l.id)}
          >
            {l.label}
          </button>
        ))}
        <span className="spacer" />
        <CopyButton text={code} label="Copy code" />
      </div>
      <pre className="code" data-language={language}>
        <code>{code}</code>
      </pre>
    </section>
  );
}

export function snippet(language: Language, model: string, input: Record<string, unknown>, origin: string): string {
  const json = JSON.stringify(input, null, 2);
  switch (language) {
    case "node":
      return [
        `import Replicate from "replicate";`,
        ``,
        `const replicate = new Replicate({`,
        `  auth: process.env.REPLICATE_API_TOKEN,`,
        `  baseUrl: "${origin}/v1",`,
        `});`,
        ``,
        `const output = await replicate.run("${model}", {`,
        `  input: ${indent(json, 2)},`,
        `});`,
        `console.log(output);`,
      ].join("\n");
    case "python":
      return [
        `# REPLICATE_BASE_URL=${origin}`,
        `import replicate`,
        ``,
        `output = replicate.run(`,
        `    "${model}",`,
        `    input=${indent(pythonLiteral(input), 4)},`,
        `)`,
        `print(output)`,
      ].join("\n");
    case "curl":
      return [
        `curl -s -X POST \\`,
        `  -H "Authorization: Bearer $REPLICATE_API_TOKEN" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -H "Prefer: wait" \\`,
        `  -d '${JSON.stringify({ input }).replace(/'/g, "'\\''")}' \\`,
        `  ${origin}/v1/models/${model}/predictions`,
      ].join("\n");
  }
}

function indent(text: string, spaces: number): string {
  return text.replace(/\n/g, `\n${" ".repeat(spaces)}`);
}

/** JSON with Python's spelling of true, false and null. */
function pythonLiteral(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/("(?:[^"\\]|\\.)*")|\b(true|false|null)\b/g, (match, str: string | undefined, word: string | undefined) => {
    if (str) return str;
    return word === "true" ? "True" : word === "false" ? "False" : "None";
  });
}
