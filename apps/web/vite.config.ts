// Builds the web UI into dist/, which the server serves at `/`. In development `vite` proxies the API to a
// running server (FERRY_DEV_API, default http://localhost:8080).
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const api = process.env.FERRY_DEV_API ?? "http://localhost:8080";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: { proxy: { "/v1": api, "/auth": api } },
});
