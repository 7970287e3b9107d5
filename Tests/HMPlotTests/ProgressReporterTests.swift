import Foundation
import Testing
@testable import HMPlot

/// Captures what a reporter writes; thread-safe.
final class CapturedOutput: @unchecked Sendable {
  private let lock = NSLock()
  private var chunks: [String] = []
  var all: String { lock.lock(); defer { lock.unlock() }; return chunks.joined() }
  var count: Int { lock.lock(); defer { lock.unlock() }; return chunks.count }
  func write(_ s: String) { lock.lock(); chunks.append(s); lock.unlock() }
}

/// A clock the test advances by hand.
final class FakeClock: @unchecked Sendable {
  private let lock = NSLock()
  private var now = 100.0
  func read() -> Double { lock.lock(); defer { lock.unlock() }; return now }
  func advance(_ dt: Double) { lock.lock(); now += dt; lock.unlock() }
}

@Suite struct ProgressReporterTests {
  func reporter(_ output: ProgressReporter.Output, unicode: Bool = true, lineInterval: Double? = nil)
    -> (ProgressReporter, CapturedOutput, FakeClock) {
    let out = CapturedOutput(), clock = FakeClock()
    let r = ProgressReporter(output: output, unicode: unicode, width: 100, lineInterval: lineInterval,
                             clock: { clock.read() }, sink: { out.write($0) })
    return (r, out, clock)
  }

  @Test func notATerminalWritesOnlyTheFinalState() {
    let (r, out, clock) = reporter(.lines)
    r.start(total: 100, label: "maml")
    for i in 1...100 {
      clock.advance(0.5)
      r.update(done: i, metrics: [("pre", -21.3), ("post", -9.8)])
      #expect(out.all.isEmpty, "wrote before finish at step \(i)")
    }
    r.finish()
    #expect(out.count == 1)
    #expect(out.all == "maml 100/100  pre -21.3  post -9.8  2 it/s  done in 0:50\n")
    #expect(!out.all.contains("\r") && !out.all.contains("\u{1B}"))
    r.finish()
    #expect(out.count == 1)
  }

  @Test func quietWritesNothing() {
    let (r, out, clock) = reporter(.quiet)
    r.start(total: 10, label: "x")
    for i in 1...10 { clock.advance(1); r.update(done: i) }
    r.finish()
    #expect(out.all.isEmpty)
  }

  @Test func periodicLinesWhenAsked() {
    let (r, out, clock) = reporter(.lines, lineInterval: 10)
    r.start(total: 100, label: "trpo")
    for i in 1...100 { clock.advance(1); r.update(done: i) }
    r.finish()
    let lines = out.all.split(separator: "\n")
    #expect(lines.count == 11)  // every 10 s over 100 s, then the final line
    #expect(lines.last?.contains("done in 1:40") == true)
  }

  @Test func terminalBarUpdatesInPlaceThrottled() {
    let (r, out, clock) = reporter(.terminal)
    r.start(total: 100, label: "maml")
    let afterStart = out.count
    #expect(afterStart == 1)
    for i in 1...50 { clock.advance(0.01); r.update(done: i) }  // 0.5 s: at most ~5 redraws
    #expect(out.count - afterStart <= 6 && out.count - afterStart >= 4)
    clock.advance(0.2)
    r.update(done: 61, metrics: [("pre", -21.3), ("post", -9.8)])
    let text = out.all
    let last = String(text[(text.range(of: "\r", options: .backwards)?.upperBound ?? text.startIndex)...])
    #expect(last.hasPrefix("maml ████████████░░░░░░░░ 61/100  pre -21.3  post -9.8"))
    #expect(last.contains("left"))
    r.finish()
    #expect(out.all.hasSuffix("\n"))
    #expect(out.all.split(separator: "\n").count == 1)
    #expect(!out.all.contains("\u{1B}"))
  }

  @Test func shorterLinesErasePreviousText() {
    let (r, out, clock) = reporter(.terminal, unicode: false)
    r.start(total: nil, label: "sampling")
    clock.advance(1)
    r.update(done: 5, metrics: [("a very long metric name", 123.456)])
    clock.advance(1)
    r.start(total: nil, label: "s")
    let text = out.all
    let frames = text.split(separator: "\r", omittingEmptySubsequences: true)
    let longest = frames.map(\.count).max() ?? 0
    #expect(frames.last?.count == longest)
  }

  @Test func concurrentUpdatesAreSafe() {
    let (r, out, clock) = reporter(.terminal)
    r.start(total: 10_000, label: "par")
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
      for i in 0..<1000 { clock.advance(0.001); r.update(done: worker * 1000 + i, metrics: [("w", Double(worker))]) }
    }
    r.finish()
    #expect(out.all.hasSuffix("\n"))
    #expect(out.all.filter { $0 == "\n" }.count == 1)
  }

  @Test func updateBeforeStartIsIgnored() {
    let (r, out, _) = reporter(.lines)
    r.update(done: 3)
    r.finish()
    #expect(out.all.isEmpty)
  }

  @Test func durationsFormat() {
    #expect(ProgressReporter.duration(41) == "0:41")
    #expect(ProgressReporter.duration(3725) == "1:02:05")
    #expect(ProgressReporter.duration(.infinity) == "--:--")
    #expect(ProgressReporter.duration(-1) == "--:--")
  }
}
