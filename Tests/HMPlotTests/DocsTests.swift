import Foundation
import Testing

/// docs/plots.md shows real output: its examples must match the golden files.
@Test(arguments: ["line-unicode.txt", "scatter-ascii.txt", "histogram-unicode.txt", "bar-unicode.txt",
                  "heatmap-unicode.txt"])
func docsShowCurrentOutput(_ golden: String) throws {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  let docs = try String(contentsOf: root.appendingPathComponent("docs/plots.md"), encoding: .utf8)
  let text = try String(contentsOf: Golden.directory.appendingPathComponent(golden), encoding: .utf8)
  #expect(docs.contains(text.trimmingCharacters(in: .newlines)),
          "docs/plots.md is stale: paste Tests/HMPlotTests/Golden/\(golden) into it")
}
