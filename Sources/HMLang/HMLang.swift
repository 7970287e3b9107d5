// HMLang: see docs/architecture.md
