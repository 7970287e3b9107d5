/// The Ctrl-C flag: set from a signal handler (async-signal-safe: one store), polled by the VM at
/// calls and loop back-edges and by long native primitives, which raise `interrupted`.
public enum Interrupt {
  /// One word, allocated once and never freed.
  nonisolated(unsafe) public static let flag: UnsafeMutablePointer<Int32> = {
    let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    p.initialize(to: 0)
    return p
  }()

  /// Requests that the running evaluation stop.
  public static func request() { flag.pointee = 1 }
  public static func clear() { flag.pointee = 0 }
  public static var isRequested: Bool { flag.pointee != 0 }

  /// For long native loops: throws `interrupted` (and clears the flag) when Ctrl-C was pressed.
  public static func check() throws {
    if flag.pointee != 0 { flag.pointee = 0; throw RuntimeError.interrupted }
  }
}

/// A slice `lower:upper:step` inside an index (`xs[1:3]`, `t[:, 0]`); missing parts are nil.
public final class Slice: NativeObject {
  public let lower: Int?, upper: Int?, step: Int?
  public init(lower: Int?, upper: Int?, step: Int?) { self.lower = lower; self.upper = upper; self.step = step }
  public var typeName: String { "slice" }
  public func describe(width: Int) -> String {
    "\(lower.map(String.init) ?? ""):\(upper.map(String.init) ?? "")" + (step.map { ":\($0)" } ?? "")
  }

  /// The indices this slice selects from a sequence of `count` elements (Python semantics).
  public func indices(count: Int) throws -> [Int] {
    let step = self.step ?? 1
    if step == 0 { throw RuntimeError("slice step cannot be zero") }
    func clamp(_ v: Int?, _ dflt: Int, lo: Int, hi: Int) -> Int {
      guard var v else { return dflt }
      if v < 0 { v += count }
      return min(max(v, lo), hi)
    }
    var out: [Int] = []
    if step > 0 {
      let start = clamp(lower, 0, lo: 0, hi: count), stop = clamp(upper, count, lo: 0, hi: count)
      var i = start
      while i < stop { out.append(i); i += step }
    } else {
      let start = clamp(lower, count - 1, lo: -1, hi: count - 1), stop = clamp(upper, -1, lo: -1, hi: count - 1)
      var i = start
      while i > stop { out.append(i); i += step }
    }
    return out
  }
}
