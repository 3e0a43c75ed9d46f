/**
 * Builds the browser client into dist/client, where the server serves it:
 * the room (index.html, at /join/<token>) and the staff console (staff.html,
 * at /staff and below) and the expert's on-call page (expert.html, at /expert). Pages live under paths, so every asset URL must be absolute.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    // Parties open links in the phone's own browser or WeChat's built-in one,
    // often a few years old; mediasoup-client itself needs Chrome 74 / Safari 12.
    target: ['es2020', 'chrome80', 'safari14', 'firefox90'],
    sourcemap: true,
    rolldownOptions: {
      input: {
        room: fileURLToPath(new URL('index.html', import.meta.url)),
        staff: fileURLToPath(new URL('staff.html', import.meta.url)),
        expert: fileURLToPath(new URL('expert.html', import.meta.url)),
      },
    },
  },
  server: { host: '127.0.0.1' },
});
