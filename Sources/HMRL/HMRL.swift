// HMRL: see docs/architecture.md
