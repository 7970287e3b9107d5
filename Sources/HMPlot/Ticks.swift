#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Axis ticks at "nice" round numbers (1, 2 or 5 × 10ⁿ).
///
/// Source: P. Heckbert, "Nice numbers for graph labels", Graphics Gems (1990), the "loose"
/// labelling: the axis is widened to the first and last tick so data never touches a frame
/// between ticks.
///
/// ```swift
/// let t = TickScale(covering: 0.13...0.97, targetCount: 5)
/// // t.lower == 0, t.upper == 1, t.step == 0.2, t.values == [0, 0.2, 0.4, 0.6, 0.8, 1]
/// ```
public struct TickScale: Sendable, Equatable {
  /// The first tick, at or below the data.
  public var lower: Double
  /// The last tick, at or above the data.
  public var upper: Double
  /// Distance between ticks.
  public var step: Double
  /// The ticks, from `lower` to `upper`.
  public var values: [Double]

  /// The axis range, `lower...upper`.
  public var range: ClosedRange<Double> { lower...upper }

  /// Ticks covering `range` with about `targetCount` ticks.
  ///
  /// A degenerate range (`a...a`) is widened first (see `Ticks.nonDegenerate`); non-finite
  /// bounds fall back to `0...1`. Never more than 1000 ticks.
  public init(covering range: ClosedRange<Double>, targetCount: Int = 5) {
    let r = Ticks.nonDegenerate(range)
    let n = max(2, targetCount)
    let span = Ticks.niceNumber(r.upperBound - r.lowerBound, round: false)
    let step = Ticks.niceNumber(span / Double(n - 1), round: true)
    guard step.isFinite, step > 0, span.isFinite else {
      lower = r.lowerBound; upper = r.upperBound; self.step = r.upperBound - r.lowerBound
      values = [r.lowerBound, r.upperBound]
      return
    }
    let lo = (r.lowerBound / step).rounded(.down) * step
    let hi = (r.upperBound / step).rounded(.up) * step
    var ticks: [Double] = []
    var i = 0.0
    while ticks.count < 1000 {
      let v = lo + i * step
      if v > hi + step * 1e-9 { break }
      ticks.append(abs(v) < step * 1e-9 ? 0 : v)
      i += 1
    }
    lower = lo; upper = hi; self.step = step; values = ticks
  }

  /// The label of `value` with as many decimals as the step needs (`0.2` → `"0.4"`, `5` → `"10"`).
  public func label(_ value: Double) -> String { Ticks.format(value, step: step) }
}

/// Number helpers shared by the terminal and SVG back-ends.
public enum Ticks {
  /// The nice number (1, 2, 5 or 10 × 10ⁿ) near `x`: rounded when `round`, else the ceiling.
  public static func niceNumber(_ x: Double, round: Bool) -> Double {
    guard x.isFinite, x > 0 else { return x.isFinite ? 1 : x }
    let exponent = Glibc.floor(Glibc.log10(x))
    let magnitude = Glibc.pow(10, exponent)
    let fraction = x / magnitude
    let nice: Double
    if round {
      nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
    } else {
      nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    }
    return nice * magnitude
  }

  /// A range with distinct finite bounds: `a...a` becomes `a−d...a+d` with d = 10 % of |a|
  /// (1 when a = 0); a non-finite bound gives `0...1`.
  public static func nonDegenerate(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
    let lo = range.lowerBound, hi = range.upperBound
    guard lo.isFinite, hi.isFinite else { return 0...1 }
    if hi - lo > 0, (hi - lo).isFinite { return range }
    if hi - lo > 0 { return lo / 2...hi / 2 }  // span overflows: halve (still shows the shape)
    let d = lo == 0 ? 1 : abs(lo) * 0.1
    return (lo - d)...(hi + d)
  }

  /// The smallest range holding every finite value of `arrays`, or nil when there is none.
  ///
  /// - Complexity: O(total count).
  public static func finiteExtent<C: Sequence>(_ arrays: C) -> ClosedRange<Double>?
  where C.Element == [Double] {
    var lo = Double.infinity, hi = -Double.infinity
    for a in arrays { for v in a where v.isFinite { lo = min(lo, v); hi = max(hi, v) } }
    return lo <= hi ? lo...hi : nil
  }

  /// `value` rounded down and clamped to `bounds`; NaN gives the lower bound. Converting a
  /// data-derived Double with `Int(_:)` traps on ±∞ and NaN: every such conversion goes here.
  static func clampedIndex(_ value: Double, _ bounds: ClosedRange<Int>) -> Int {
    guard !value.isNaN else { return bounds.lowerBound }
    if value <= Double(bounds.lowerBound) { return bounds.lowerBound }
    if value >= Double(bounds.upperBound) { return bounds.upperBound }
    return Int(value.rounded(.down))
  }

  /// `value` formatted with the decimals a tick `step` needs; scientific for very large or
  /// small magnitudes.
  public static func format(_ value: Double, step: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf") }
    let value = value == 0 ? 0 : value  // no "-0.0"
    let s = abs(step)
    if abs(value) >= 1e6 || (s > 0 && s < 1e-4) {
      return cFormat("%.2e", value)
    }
    var decimals = s > 0 && s.isFinite ? max(0, Int(-Glibc.floor(Glibc.log10(s) + 1e-9))) : 2
    // A step that is not a whole number at that precision (0.25, 0.15) needs one more decimal.
    while decimals < 6, s > 0, s.isFinite {
      let scaled = s * Glibc.pow(10, Double(decimals))
      if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) { break }
      decimals += 1
    }
    return cFormat("%.\(min(decimals, 6))f", value)
  }

  /// `value` with about four significant digits and no trailing zeros (`-21.3`, `0.01235`,
  /// `1.50e+06`), for labels that have no tick step (ranges, metrics, bar values).
  public static func compact(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf") }
    if value == 0 { return "0" }
    let a = abs(value)
    if a >= 1e5 || a < 1e-3 { return cFormat("%.2e", value) }
    let digits = Int(Glibc.floor(Glibc.log10(a)))
    let decimals = max(0, min(6, 3 - digits))
    var s = cFormat("%.\(decimals)f", value)
    if s.contains(".") {
      while s.hasSuffix("0") { s.removeLast() }
      if s.hasSuffix(".") { s.removeLast() }
    }
    return s == "-0" ? "0" : s
  }
}
