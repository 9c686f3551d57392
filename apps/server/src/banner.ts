// The start-up banner: where the API is, how to call it, and a generated token printed this one time.
// It goes to stdout, not to the logs, so a token never reaches a log pipeline.

export interface BannerFacts {
  publicUrl: string;
  username: string;
  /** A token generated at this start (printed once, here), or null. */
  generatedToken: string | null;
  /** Whether FERRY_BOOTSTRAP_TOKEN is set (the engine makes it a token of the account). */
  tokenFromEnv: boolean;
  /** "owner/name" of the registered built-in models. */
  models: string[];
}

export function bannerText(facts: BannerFacts): string {
  const api = `${facts.publicUrl}/v1`;
  const lines = [
    "",
    "  Ferry is ready.",
    "",
    `  API       ${api}`,
    `  Health    ${facts.publicUrl}/health`,
    `  Models    ${facts.models.length > 0 ? facts.models.join(", ") : "(none registered)"}`,
    "",
  ];
  if (facts.generatedToken !== null) {
    lines.push(`  Account "${facts.username}" was created. Its API token is shown only this once; keep it:`, "");
    lines.push(`      export REPLICATE_API_TOKEN=${facts.generatedToken}`);
  } else if (facts.tokenFromEnv) {
    lines.push(`  Account "${facts.username}" accepts the token in FERRY_BOOTSTRAP_TOKEN:`, "");
    lines.push("      export REPLICATE_API_TOKEN=$FERRY_BOOTSTRAP_TOKEN");
  } else {
    lines.push(`  Account "${facts.username}" already exists; use the token printed when it was created:`, "");
    lines.push("      export REPLICATE_API_TOKEN=<your token>");
  }
  const model = facts.models.find((m) => m.endsWith("/hello-world")) ?? facts.models[0] ?? "owner/name";
  lines.push(
    "",
    "  Try it:",
    "",
    `      curl -s -X POST ${api}/models/${model}/predictions \\`,
    '        -H "Authorization: Bearer $REPLICATE_API_TOKEN" -H "Content-Type: application/json" -H "Prefer: wait" \\',
    `        -d '{"input": {}}'`,
    "",
    `      // JavaScript, with the official client ("replicate" on npm)`,
    `      const replicate = new Replicate({ baseUrl: "${api}" });`,
    `      console.log(await replicate.run("${model}", { input: {} }));`,
    "",
  );
  return lines.join("\n");
}
