#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HMPlot

/// Where a figure goes: inline in the terminal (style chosen by HMPlot's TerminalCapabilities
/// from standard output, or forced by `style:`) or to an SVG file (`file:`).
enum PlotOutput {
  /// The parameters every plotting primitive shares, appended after its own.
  static let common = [
    ParameterSpec("title", .string, default: .string("")),
    ParameterSpec("xlabel", .string, default: .string("")),
    ParameterSpec("ylabel", .string, default: .string("")),
    ParameterSpec("file", .optional(.string), default: .nil, doc: "write an SVG file (atomically) instead of drawing in the terminal"),
    ParameterSpec("width", .optional(.int), default: .nil, doc: "characters in the terminal (default: fit it), pixels in SVG (default 640)"),
    ParameterSpec("height", .optional(.int), default: .nil, doc: "lines in the terminal (default: fit it), pixels in SVG (default 400)"),
    ParameterSpec("style", .string, default: .string("auto"),
                  doc: "\"auto\" (from the terminal: Unicode and colour only on a UTF-8 TTY), \"unicode\", \"ascii\" or \"colour\""),
  ]

  /// The common parameters, read from a call (`options(call, from: index of "title")`).
  struct Options {
    var title: String, xLabel: String, yLabel: String
    var file: String?
    var width: Int?, height: Int?
    var style: TerminalStyle?
  }

  static func options(_ c: NativeCall, from i: Int) throws -> Options {
    Options(title: c.string(i), xLabel: c.string(i + 1), yLabel: c.string(i + 2),
            file: c.isGiven(i + 3) ? c.string(i + 3) : nil,
            width: c.isGiven(i + 4) ? c.int(i + 4) : nil, height: c.isGiven(i + 5) ? c.int(i + 5) : nil,
            style: try style(c.string(i + 6), c))
  }

  /// nil for "auto" (HMPlot detects standard output's capabilities).
  static func style(_ name: String, _ c: NativeCall) throws -> TerminalStyle? {
    switch name {
    case "auto": return nil
    case "unicode": return .unicodeMonochrome
    case "ascii", "plain": return .plain
    case "colour", "color": return .full
    default: throw c.error("style must be \"auto\", \"unicode\", \"ascii\" or \"colour\", got \(quote(name))")
    }
  }

  /// The style "auto" resolves to for standard output.
  static func resolved(_ style: TerminalStyle?) -> TerminalStyle {
    style ?? TerminalCapabilities.detect(fileDescriptor: 1).style
  }

  /// Runs `body`, turning HMPlot's errors into language errors named after the primitive.
  static func run<T>(_ c: NativeCall, _ body: () throws -> T) throws -> T {
    do { return try body() }
    catch let e as PlotError {
      // HMPlot names its own operation ("line: …"); the hm primitive's name replaces it.
      let text = e.description
      guard let colon = text.firstIndex(of: ":") else { throw c.error(text) }
      throw c.error(String(text[text.index(after: colon)...].drop { $0 == " " }))
    }
  }

  /// Draws `figure` in the terminal or writes it as SVG.
  static func emit(_ figure: Figure, _ o: Options, _ c: NativeCall) throws -> Value {
    var f = figure
    if !o.title.isEmpty { f.title = o.title }
    if !o.xLabel.isEmpty { f.xLabel = o.xLabel }
    if !o.yLabel.isEmpty { f.yLabel = o.yLabel }
    // Limits keep a typo from allocating gigabytes: characters in the terminal, pixels in SVG.
    let (maxWidth, maxHeight) = o.file == nil ? (1000, 500) : (20_000, 20_000)
    if let w = o.width, !(1...maxWidth).contains(w) { throw c.error("width must be in 1...\(maxWidth), got \(w)") }
    if let h = o.height, !(1...maxHeight).contains(h) { throw c.error("height must be in 1...\(maxHeight), got \(h)") }
    if let file = o.file {
      let svg = try run(c) { try f.renderSVG(width: Double(o.width ?? 640), height: Double(o.height ?? 400)) }
      try FilePrimitives.writeAtomically(svg, to: file)
      return .nil
    }
    let text = try run(c) { try f.renderTerminal(width: o.width, height: o.height, style: o.style) }
    c.vm.output(text + "\n")
    return .nil
  }
}
