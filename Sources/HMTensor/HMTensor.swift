// HMTensor: see docs/architecture.md
