import Foundation
import Testing

/// Snapshot files under `Golden/`, next to this file. Set `HMPLOT_UPDATE_GOLDEN=1` to rewrite
/// them after an intended change (then review the diff).
enum Golden {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Golden")

  static var updating: Bool { ProcessInfo.processInfo.environment["HMPLOT_UPDATE_GOLDEN"] == "1" }

  static func check(_ text: String, named name: String, update: Bool = Golden.updating,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let url = directory.appendingPathComponent(name)
    let expectedText = text.hasSuffix("\n") ? text : text + "\n"
    if update {
      do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try expectedText.write(to: url, atomically: true, encoding: .utf8)
      } catch {
        Issue.record("could not write golden \(name): \(error)", sourceLocation: sourceLocation)
      }
      return
    }
    guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
      Issue.record("missing golden file \(url.path); run with HMPLOT_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
      return
    }
    if golden != expectedText {
      Issue.record("""
        \(name) differs from its golden file (HMPLOT_UPDATE_GOLDEN=1 rewrites it).
        --- expected
        \(golden)
        --- actual
        \(expectedText)
        """, sourceLocation: sourceLocation)
    }
  }

  /// `text` without ANSI SGR escape sequences.
  static func strippingEscapes(_ text: String) -> String {
    var out = "", inEscape = false
    for scalar in text.unicodeScalars {
      if inEscape { if scalar == "m" { inEscape = false }; continue }
      if scalar == "\u{1B}" { inEscape = true; continue }
      out.unicodeScalars.append(scalar)
    }
    return out
  }
}
