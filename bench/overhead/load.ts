// A small keep-alive HTTP load generator: sequential latency samples and closed-loop concurrent throughput.
import { Agent, request } from "node:http";

export interface Target {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Checks one response; a wrong answer fails the benchmark instead of counting as fast. */
  check(status: number, body: string): void;
}

export function createLoad(target: Target, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const headers = { ...target.headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(target.body)) };

  function once(): Promise<number> {
    const start = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: target.port, path: target.path, method: "POST", headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            target.check(res.statusCode ?? 0, Buffer.concat(chunks).toString());
            resolve(Number(process.hrtime.bigint() - start) / 1e6);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(target.body);
    });
  }

  async function latencies(count: number): Promise<number[]> {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) samples.push(await once());
    return samples;
  }

  async function throughput(clients: number, durationMs: number): Promise<{ perSecond: number; completed: number }> {
    const until = Date.now() + durationMs;
    let completed = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (Date.now() < until) {
          await once();
          completed++;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { perSecond: completed / seconds, completed };
  }

  return { once, latencies, throughput, close: () => agent.destroy() };
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
