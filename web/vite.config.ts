/// <reference types="vitest/config" />
// Builds the dashboard into dist/ (embedded in the finsight binary by
// crates/finsight-server/build.rs); `npm run dev` proxies the API to a
// running `finsight serve` on 127.0.0.1:8080.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    manifest: true,
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: {
      "/v1": "http://127.0.0.1:8080",
      "/graphql": "http://127.0.0.1:8080",
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});
