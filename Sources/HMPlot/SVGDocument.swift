#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A minimal SVG 1.1 writer: elements are appended in paint order and serialised with escaped
/// text and attributes, so the output is always well-formed XML.
///
/// ```swift
/// var doc = SVGDocument(width: 100, height: 50)
/// doc.add("rect", ["x": "0", "y": "0", "width": "100", "height": "50", "fill": "#fff"])
/// doc.add("text", ["x": "10", "y": "20"], text: "a < b & c")
/// let xml = doc.render()
/// ```
public struct SVGDocument: Sendable {
  public let width: Double
  public let height: Double
  private var definitions: [String] = []
  private var body: [String] = []

  public init(width: Double, height: Double) { self.width = width; self.height = height }

  /// Appends `<name attributes…>text</name>` (self-closing without text). Attributes are
  /// written in key order so output is deterministic.
  public mutating func add(_ name: String, _ attributes: [String: String], text: String? = nil) {
    body.append(Self.element(name, attributes, text: text))
  }

  /// Opens a `<g>` group; close it with `endGroup()`.
  public mutating func beginGroup(_ attributes: [String: String] = [:]) {
    body.append("<g" + Self.attributeList(attributes) + ">")
  }

  public mutating func endGroup() { body.append("</g>") }

  /// Adds raw markup to `<defs>` (gradients, clip paths); the caller guarantees well-formedness.
  mutating func define(_ markup: String) { definitions.append(markup) }

  /// The complete document, starting with the XML declaration.
  public func render() -> String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.number(width))\" "
    out += "height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" "
    out += "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
    if !definitions.isEmpty { out += "<defs>\n" + definitions.joined(separator: "\n") + "\n</defs>\n" }
    out += body.joined(separator: "\n")
    out += "\n</svg>\n"
    return out
  }

  static func element(_ name: String, _ attributes: [String: String], text: String? = nil) -> String {
    let open = "<" + name + attributeList(attributes)
    guard let text else { return open + "/>" }
    return open + ">" + escape(text) + "</" + name + ">"
  }

  static func attributeList(_ attributes: [String: String]) -> String {
    attributes.keys.sorted().map { " \($0)=\"\(escape(attributes[$0] ?? ""))\"" }.joined()
  }

  /// XML-escapes `&`, `<`, `>`, `"`, `'` and drops the control characters XML 1.0 forbids.
  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      default:
        let v = scalar.value
        if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// A coordinate with at most two decimals, clamped to ±10⁶ (NaN becomes 0) so that extreme
  /// data never produces an unreadable document.
  public static func number(_ v: Double) -> String {
    let c = v.isNaN ? 0 : min(1e6, max(-1e6, v))
    var s = cFormat("%.2f", c)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
  }
}
