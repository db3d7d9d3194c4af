#!/usr/bin/env node
// Entry point of the mock-llm command; the CLI itself is built to dist/ (pnpm nx run @agentplane/testing:build).
await import('../dist/mock-llm-cli.js');
