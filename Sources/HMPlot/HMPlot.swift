// HMPlot: figures (terminal and SVG), progress reporting and tables for hmaml.
//
// A pure Swift library with no dependency on the language or on RL (docs/plots.md is the
// user's guide). One data model, `Figure`, feeds both back-ends:
//
//   Figure ──renderTerminal──▶ Braille / block / half-block text (TerminalStyle decides glyphs
//                               and colours; TerminalCapabilities detects the style)
//          └─renderSVG──────▶ an SVG document for papers
//
// `ProgressReporter` is the one progress bar for long native jobs; `Table` prints and exports
// records.
