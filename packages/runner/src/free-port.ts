// Instances listen on a port the runner picks: bind port 0 on loopback, read what the OS chose, close it.
import { createServer } from "node:net";

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function findFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("Could not read the port the OS picked"))));
    });
  });
}
