// Closing the HTTP server on shutdown: close() waits for every response in flight to finish, so one that never
// ends (a client that stopped reading, a handler that hangs) would hold shutdown forever. After a grace period the
// remaining connections are closed.
import type { FastifyInstance } from "fastify";

export async function closeWithin(app: FastifyInstance, graceMs: number): Promise<void> {
  const cutOff = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cutOff);
  }
}
