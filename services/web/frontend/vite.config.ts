import { defineConfig } from "vitest/config";

// The build lands in the Python package (services/web/static/, gitignored, shipped as
// package data) so a built wheel serves the UI without Node.
export default defineConfig({
  base: "/static/",
  build: {
    outDir: "../static",
    emptyOutDir: true,
    assetsDir: "assets",
    // Report the gzipped size so the 250 KB first-load budget is visible in every build.
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` against a local `grimoire server` (default port 5000).
    proxy: {
      "/api": "http://127.0.0.1:5000",
      "/ajax-api": "http://127.0.0.1:5000",
      "/auth": "http://127.0.0.1:5000",
      "/me": "http://127.0.0.1:5000",
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
