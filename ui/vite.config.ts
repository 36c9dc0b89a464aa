/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Vitest compiles components for the browser (not SSR) so that they can be
// mounted in jsdom.
const testing = process.env.VITEST !== undefined;

export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs: Tauri serves the bundle from its own protocol.
  base: './',
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: '127.0.0.1',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK (Linux), WKWebView (macOS), WebView2 (Windows)
    target: ['safari15', 'chrome105', 'es2021'],
    // No inline data: URLs for assets (CSP friendly).
    assetsInlineLimit: 0,
    sourcemap: false,
    // Do not inject the modulepreload polyfill script.
    modulePreload: { polyfill: false },
  },
  resolve: testing ? { conditions: ['browser'] } : undefined,
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
