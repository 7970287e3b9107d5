import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import HMPlot

/// SVG output: well-formed XML, the expected elements, and a PNG from rsvg-convert that is not
/// blank.
@Suite struct SVGTests {
  /// Collects element names and attributes while parsing.
  final class Collector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text = ""
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
      elements.append((elementName, attributeDict))
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
  }

  static func parse(_ svg: String) -> Collector? {
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    return parser.parse() ? collector : nil
  }

  static func parses(_ svg: String) -> Bool { parse(svg) != nil }

  static let rsvgConvert: String? = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert", "/opt/homebrew/bin/rsvg-convert"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

  /// Renders `svg` with rsvg-convert; nil (with a recorded reason) when the tool is absent.
  static func renderPNG(_ svg: String, name: String) throws -> Data? {
    guard let tool = rsvgConvert else {
      print("SKIP \(name): rsvg-convert not installed (apt-get install librsvg2-bin)")
      return nil
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hmplot-svg-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let input = dir.appendingPathComponent("\(name).svg"), output = dir.appendingPathComponent("\(name).png")
    try svg.write(to: input, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = [input.path, "-o", output.path]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 0, "rsvg-convert failed on \(name): \(message)")
    return try Data(contentsOf: output)
  }

  @Test(arguments: TerminalPlotTests.names)
  func wellFormedWithExpectedElements(_ name: String) throws {
    let f = try TerminalPlotTests.figure(name)
    let svg = try f.renderSVG(width: 640, height: 400)
    let doc = try #require(Self.parse(svg), "SVG of \(name) is not well-formed XML")
    #expect(doc.elements.first?.name == "svg")
    #expect(doc.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
    #expect(doc.text.contains(f.title))
    let names = Set(doc.elements.map(\.name))
    #expect(names.contains("text") && names.contains("line"))
    switch f.kind {
    case .line: #expect(doc.elements.filter { $0.name == "path" }.count == f.series.count)
    case .scatter: #expect(doc.elements.filter { $0.name == "circle" }.count >= 80)
    case .histogram, .bar: #expect(doc.elements.filter { $0.name == "rect" }.count >= 4)
    case .heatmap:
      #expect(names.contains("linearGradient"))
      #expect(doc.elements.filter { $0.name == "rect" }.count >= 96)
    }
  }

  @Test func confidenceBandsAreShadedPolygons() throws {
    let svg = try Fixtures.bandFigure().renderSVG()
    let doc = try #require(Self.parse(svg))
    let polygons = doc.elements.filter { $0.name == "polygon" }
    #expect(polygons.count == 1)
    #expect(polygons.first?.attributes["fill-opacity"] == "0.2")
    #expect(polygons.first?.attributes["fill"] == Palette.okabeIto[0].hex)
  }

  @Test func seriesUseTheColourBlindSafePalette() throws {
    let doc = try #require(Self.parse(try Fixtures.lineFigure().renderSVG()))
    let strokes = doc.elements.filter { $0.name == "path" }.compactMap { $0.attributes["stroke"] }
    #expect(strokes == [Palette.okabeIto[0].hex, Palette.okabeIto[1].hex])
  }

  @Test func textIsEscaped() throws {
    var f = try Fixtures.lineFigure()
    f.title = "J < S/2 & \"tight\" 'bounds' \u{1}"
    f.series[0].name = "<script>"
    let svg = try f.renderSVG()
    #expect(svg.contains("J &lt; S/2 &amp; &quot;tight&quot; &apos;bounds&apos;"))
    let doc = try #require(Self.parse(svg))
    #expect(doc.text.contains("J < S/2 & \"tight\" 'bounds'"))
    #expect(doc.text.contains("<script>"))
  }

  @Test(arguments: TerminalPlotTests.names)
  func rendersToANonBlankPNG(_ name: String) throws {
    let svg = try TerminalPlotTests.figure(name).renderSVG(width: 640, height: 400)
    guard let png = try Self.renderPNG(svg, name: name) else { return }
    guard PNGImage.zlibAvailable else {
      print("SKIP pixel check of \(name): zlib not loadable; PNG is \(png.count) bytes")
      #expect(png.count > 2000)
      return
    }
    let image = try PNGImage(data: png)
    #expect(image.width == 640 && image.height == 400)
    #expect(image.distinctColours > 20, "\(name): only \(image.distinctColours) colours")
    #expect(image.inkFraction > 0.02 && image.inkFraction < 0.98, "\(name): ink \(image.inkFraction)")
  }

  /// The failure twin: a blank document is detected as blank.
  @Test func blankDocumentIsDetected() throws {
    var doc = SVGDocument(width: 200, height: 100)
    doc.add("rect", ["x": "0", "y": "0", "width": "200", "height": "100", "fill": "#ffffff"])
    guard let png = try Self.renderPNG(doc.render(), name: "blank"), PNGImage.zlibAvailable else { return }
    let image = try PNGImage(data: png)
    #expect(image.distinctColours == 1)
    #expect(image.inkFraction == 0)
  }

  @Test func heatmapCellValuesWhenAsked() throws {
    let grid = HeatmapGrid([[0.9, 0.1], [0.2, 0.8]], showsValues: true)
    let doc = try #require(Self.parse(try Figure.heatmap(grid).renderSVG()))
    let texts = doc.elements.filter { $0.name == "text" }.compactMap { $0.attributes["fill"] }
    #expect(texts.contains("#000000") && texts.contains("#ffffff"))
    #expect(doc.text.contains("0.9") && doc.text.contains("0.1"))
    var big = HeatmapGrid((0..<60).map { r in (0..<60).map { Double(r * $0) } })
    big.showsValues = true
    let crowded = try #require(Self.parse(try Figure.heatmap(big).renderSVG()))
    #expect(!crowded.text.contains("3481"))  // cells too small: no values
  }

  /// Rendering with the detected style (whatever this process's output is) never fails.
  @Test func defaultSizesAndStyleRender() throws {
    for (_, f) in try Fixtures.all() { #expect(!(try f.renderTerminal()).isEmpty) }
  }

  @Test func numbersAreCompactAndClamped() {
    #expect(SVGDocument.number(1.0) == "1")
    #expect(SVGDocument.number(-0.001) == "0")
    #expect(SVGDocument.number(12.345) == "12.35" || SVGDocument.number(12.345) == "12.34")
    #expect(SVGDocument.number(1e300) == "1000000")
    #expect(SVGDocument.number(.nan) == "0")
  }
}
