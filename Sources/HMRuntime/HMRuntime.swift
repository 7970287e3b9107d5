// HMRuntime: see docs/architecture.md
