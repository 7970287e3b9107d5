import Testing
@testable import HMPlot

@Test func previewScratch() throws {
  for (name, f) in try Fixtures.all() {
    for style in [TerminalStyle.unicodeMonochrome, .plain, .full] {
      print("== \(name) \(style)")
      print(try f.renderTerminal(width: 60, height: 16, style: style))
    }
  }
}
