// HMPlot: see docs/architecture.md
