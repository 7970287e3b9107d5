import Foundation
import Testing
@testable import HMPlot

@Test func previewScratch() throws {
  for (name, f) in try Fixtures.all() {
    try f.renderSVG().write(toFile: "/tmp/hmplot-\(name).svg", atomically: true, encoding: .utf8)
  }
}
