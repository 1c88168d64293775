/** What a Chronos connection builds its client from: client.ts and axios, loaded on first use (backends/client-module.ts). */
export { ChronosClient, chronosOptionsFromEnv } from './client.js';
