// The baseline: a bare node:http server answering a JSON POST, the floor any HTTP API on this machine stands on.
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? "0");
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const input = (JSON.parse(Buffer.concat(chunks).toString() || "{}") as { input?: { text?: string } }).input;
    const body = JSON.stringify({ status: "succeeded", output: `hello ${input?.text ?? "world"}` });
    res.writeHead(201, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") process.stdout.write(`listening ${address.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
