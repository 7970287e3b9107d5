#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The one progress display for long native jobs (MAML, Algorithm 1, guided training, …).
///
/// ```swift
/// let progress = ProgressReporter.standardError(quiet: options.quiet)
/// progress.start(total: 100, label: "maml")
/// for i in 1...100 {
///   …
///   progress.update(done: i, metrics: [("pre", preReturn), ("post", postReturn)])
/// }
/// progress.finish()
/// ```
///
/// On a terminal (`Output.terminal`) a bar is redrawn in place with `\r`, at most every
/// `minimumInterval` seconds (10 Hz by default), e.g.
/// `maml ████████░░░░ 61/100  pre -21.3  post -9.8  2.5 it/s  0:41 left`; `finish()` draws the
/// final state and ends the line. Elsewhere (`Output.lines`) nothing is written until `finish()`,
/// which writes the final state as one line — or a line every `lineInterval` seconds when set.
/// `Output.quiet` writes nothing. No colour escapes are ever written.
///
/// Thread-safe: `update` may be called from worker threads; a lock serialises state and
/// writes. Output goes to an injectable `sink`, so tests capture it and the REPL can route it.
public final class ProgressReporter: @unchecked Sendable {
  /// Where progress goes and how.
  public enum Output: Sendable, Equatable {
    /// An interactive terminal: a bar redrawn in place.
    case terminal
    /// A pipe, file or log: the final state only (or periodic lines, see `lineInterval`).
    case lines
    /// Nothing at all (`--quiet`).
    case quiet
  }

  /// Receives text exactly as it should be written (with `\r` and `\n`).
  public typealias Sink = @Sendable (String) -> Void

  public let output: Output
  public let unicode: Bool
  public let width: Int
  public let minimumInterval: Double
  public let lineInterval: Double?
  private let clock: @Sendable () -> Double
  private let sink: Sink
  private let lock = PlainLock()

  private var label = ""
  private var total: Int?
  private var done = 0
  private var metrics: [(String, Double)] = []
  private var startTime = 0.0
  private var lastDraw = -Double.infinity
  private var lastLength = 0
  private var active = false

  /// - Parameters:
  ///   - output: terminal bar, final line, or nothing.
  ///   - unicode: block glyphs (`█░`) for the bar, else `#` and `.`.
  ///   - width: the widest line written (terminal columns).
  ///   - minimumInterval: seconds between redraws on a terminal (0.1 = 10 Hz).
  ///   - lineInterval: for `.lines`, seconds between periodic lines; nil writes only the final one.
  ///   - clock: monotonic seconds (injectable for tests).
  ///   - sink: receives the text.
  public init(output: Output, unicode: Bool = false, width: Int = 80, minimumInterval: Double = 0.1,
              lineInterval: Double? = nil,
              clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime },
              sink: @escaping Sink) {
    self.output = output; self.unicode = unicode; self.width = max(20, width)
    self.minimumInterval = minimumInterval; self.lineInterval = lineInterval
    self.clock = clock; self.sink = sink
  }

  /// A reporter on standard error: `.terminal` when it is a TTY (Unicode when the locale is
  /// UTF-8, width from the terminal), `.lines` otherwise, `.quiet` when `quiet`.
  public static func standardError(quiet: Bool = false,
                                   environment: [String: String] = ProcessInfo.processInfo.environment)
    -> ProgressReporter {
    let caps = TerminalCapabilities.detect(fileDescriptor: 2, environment: environment)
    let output: Output = quiet ? .quiet : caps.isTerminal && caps.term != "dumb" ? .terminal : .lines
    return ProgressReporter(output: output, unicode: caps.style.unicode, width: caps.columns) { text in
      fputs(text, stderr)
    }
  }

  /// Begins a job of `total` steps (nil when unknown) named `label`; resets any previous job.
  public func start(total: Int?, label: String) {
    lock.lock(); defer { lock.unlock() }
    self.label = label
    self.total = total.map { max(0, $0) }
    done = 0; metrics = []; startTime = clock(); lastDraw = -Double.infinity
    active = true
    if output == .terminal { draw(final: false) }
  }

  /// Records that `done` steps are complete, with the latest `metrics` (name, value) shown
  /// after the count. Redraws on a terminal when the throttle allows; a no-op before `start`.
  public func update(done: Int, metrics: [(String, Double)] = []) {
    lock.lock(); defer { lock.unlock() }
    guard active else { return }
    self.done = max(0, done)
    if !metrics.isEmpty { self.metrics = metrics }
    let now = clock()
    switch output {
    case .terminal:
      if now - lastDraw >= minimumInterval { draw(final: false) }
    case .lines:
      if let lineInterval, now - lastDraw >= lineInterval, now - startTime >= lineInterval {
        lastDraw = now
        sink(statusLine(final: false, now: now) + "\n")
      }
    case .quiet:
      break
    }
  }

  /// Writes the final state (a finished bar and newline on a terminal, one line elsewhere);
  /// further calls are no-ops until the next `start`.
  public func finish() {
    lock.lock(); defer { lock.unlock() }
    guard active else { return }
    active = false
    switch output {
    case .terminal: draw(final: true); lastLength = 0
    case .lines: sink(statusLine(final: true, now: clock()) + "\n")
    case .quiet: break
    }
  }

  /// Redraws the terminal line in place, padding over a longer previous line. Lock held.
  private func draw(final: Bool) {
    let now = clock()
    lastDraw = now
    let line = statusLine(final: final, now: now)
    let length = line.count
    let pad = String(repeating: " ", count: max(0, lastLength - length))
    lastLength = length
    sink("\r" + line + pad + (final ? "\n" : ""))
  }

  /// `label bar done/total  metrics  rate  time`, at most `width − 1` characters. Lock held.
  func statusLine(final: Bool, now: Double) -> String {
    let elapsed = max(0, now - startTime)
    var parts: [String] = []
    if !label.isEmpty { parts.append(label) }
    if let total {
      if output == .terminal {
        let barWidth = max(8, min(30, width / 5))
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let (full, empty): (Character, Character) = unicode ? ("█", "░") : ("#", ".")
        parts.append(String(repeating: full, count: filled) + String(repeating: empty, count: barWidth - filled))
      }
      parts.append("\(done)/\(total)")
    } else {
      parts.append("\(done)")
    }
    var line = parts.joined(separator: " ")
    for (name, value) in metrics { line += "  \(name) \(Ticks.compact(value))" }
    if elapsed > 0 && done > 0 {
      line += "  \(Ticks.compact(Double(done) / elapsed)) it/s"
    }
    if final {
      line += "  done in \(Self.duration(elapsed))"
    } else if let total, done > 0, elapsed > 0, done < total {
      let remaining = Double(total - done) / (Double(done) / elapsed)
      line += "  \(Self.duration(remaining)) left"
    }
    if line.count > width - 1 { line = String(line.prefix(width - 1)) }
    return line
  }

  /// `m:ss` or `h:mm:ss`; `--:--` for non-finite or absurd values.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0, seconds < 360_000 else { return "--:--" }
    let s = Int(seconds.rounded())
    let h = s / 3600, m = (s % 3600) / 60, r = s % 60
    return h > 0 ? cFormat("%d:%02d:%02d", h, m, r) : cFormat("%d:%02d", m, r)
  }
}

/// A pthread mutex (FoundationEssentials has no NSLock).
final class PlainLock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
    let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(m, nil)
    return m
  }()
  deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }
  func lock() { pthread_mutex_lock(mutex) }
  func unlock() { pthread_mutex_unlock(mutex) }
}
